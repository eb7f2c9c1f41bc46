CREATE TABLE `api_clients` (
	`id` text PRIMARY KEY NOT NULL,
	`token_hash` text NOT NULL,
	`role` text NOT NULL,
	`organisation` text NOT NULL,
	`region` text NOT NULL,
	`name` text NOT NULL,
	`created_at` text NOT NULL,
	`revoked_at` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_clients_token_hash_unique` ON `api_clients` (`token_hash`);--> statement-breakpoint
CREATE TABLE `case_events` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`case_id` text NOT NULL,
	`version` integer NOT NULL,
	`type` text NOT NULL,
	`at` text NOT NULL,
	`actor_role` text NOT NULL,
	`actor_organisation` text,
	`actor_name` text NOT NULL,
	`actor_client_id` text,
	`payload` text NOT NULL,
	`state` text NOT NULL,
	FOREIGN KEY (`case_id`) REFERENCES `cases`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `case_events_case_version` ON `case_events` (`case_id`,`version`);--> statement-breakpoint
CREATE TABLE `cases` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`id` text NOT NULL,
	`state` text NOT NULL,
	`version` integer NOT NULL,
	`machine_version` text NOT NULL,
	`region` text NOT NULL,
	`organisation` text NOT NULL,
	`municipality` text NOT NULL,
	`snapshot` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `cases_id_unique` ON `cases` (`id`);--> statement-breakpoint
CREATE INDEX `cases_region_seq` ON `cases` (`region`,`seq`);--> statement-breakpoint
CREATE INDEX `cases_organisation_seq` ON `cases` (`organisation`,`seq`);--> statement-breakpoint
CREATE TABLE `regions` (
	`id` text PRIMARY KEY NOT NULL,
	`bridging_threshold_weeks` integer DEFAULT 0 NOT NULL,
	`updated_at` text NOT NULL
);
