ALTER TABLE `cases` ADD `facts` text;--> statement-breakpoint
CREATE INDEX `cases_facts_missing` ON `cases` (`seq`) WHERE facts IS NULL;