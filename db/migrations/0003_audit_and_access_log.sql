CREATE TABLE `access_log` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` text NOT NULL,
	`request_id` text NOT NULL,
	`action` text NOT NULL,
	`route` text NOT NULL,
	`actor_role` text NOT NULL,
	`actor_organisation` text NOT NULL,
	`actor_name` text NOT NULL,
	`actor_client_id` text NOT NULL,
	`actor_region` text NOT NULL,
	`purpose` text,
	`case_ids` text NOT NULL,
	`outcome` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `access_log_at` ON `access_log` (`at`);--> statement-breakpoint
CREATE TABLE `audit_log` (
	`seq` integer PRIMARY KEY NOT NULL,
	`at` text NOT NULL,
	`action` text NOT NULL,
	`case_id` text,
	`case_seq` integer,
	`actor_role` text NOT NULL,
	`actor_organisation` text,
	`actor_name` text NOT NULL,
	`actor_client_id` text,
	`on_behalf_of` text,
	`event_type` text,
	`from_state` text,
	`to_state` text,
	`machine_version` text,
	`payload` text NOT NULL,
	`prev_case_hash` text,
	`case_hash` text,
	`prev_log_hash` text NOT NULL,
	`log_hash` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `audit_log_case_seq` ON `audit_log` (`case_id`,`case_seq`);