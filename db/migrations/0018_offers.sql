CREATE TABLE `offer_waiting_times` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`offer_id` text NOT NULL,
	`weeks` integer NOT NULL,
	`measured_at` text NOT NULL,
	`source` text NOT NULL,
	`reported_at` text NOT NULL,
	FOREIGN KEY (`offer_id`) REFERENCES `offers`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `offer_waiting_times_offer` ON `offer_waiting_times` (`offer_id`,`measured_at`);--> statement-breakpoint
CREATE TABLE `offers` (
	`id` text PRIMARY KEY NOT NULL,
	`region` text NOT NULL,
	`provider` text NOT NULL,
	`name` text NOT NULL,
	`kind` text NOT NULL,
	`laws` text NOT NULL,
	`municipalities` text NOT NULL,
	`min_age` integer,
	`max_age` integer,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `offers_region_provider` ON `offers` (`region`,`provider`);--> statement-breakpoint
ALTER TABLE `regions` ADD `waiting_norm` integer;