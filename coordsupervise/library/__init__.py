"""The know-how library and the partner directory: case studies drawn from practice (cases, case_search, consent),
partners by region and field (partners, partner_import), the domains both are tagged with (domains), and who may
read and contribute (audience: trainees of every cohort, supervisors, managers and graduates)."""
