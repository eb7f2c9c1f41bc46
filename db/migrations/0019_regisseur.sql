ALTER TABLE `cases` ADD `regisseur` text;--> statement-breakpoint
CREATE INDEX `cases_region_regisseur_seq` ON `cases` (`region`,`regisseur`,`seq`) WHERE regisseur IS NOT NULL;