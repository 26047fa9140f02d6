"""The tiers: each turns a normalized text into a score and findings."""
