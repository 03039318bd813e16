"""What an instructor runs before and after a workshop: doctor, verify, workshop, release."""
