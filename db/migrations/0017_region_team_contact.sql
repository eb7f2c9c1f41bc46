ALTER TABLE `regions` ADD `team_name` text;--> statement-breakpoint
ALTER TABLE `regions` ADD `phone` text;--> statement-breakpoint
ALTER TABLE `regions` ADD `email` text;--> statement-breakpoint
ALTER TABLE `regions` ADD `how_to_refer` text;