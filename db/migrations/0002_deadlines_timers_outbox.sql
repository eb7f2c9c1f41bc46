CREATE TABLE `outbox` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`id` text NOT NULL,
	`case_id` text NOT NULL,
	`region` text NOT NULL,
	`kind` text NOT NULL,
	`payload` text NOT NULL,
	`created_at` text NOT NULL,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` text NOT NULL,
	`last_error` text,
	`delivered_at` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `outbox_id_unique` ON `outbox` (`id`);--> statement-breakpoint
CREATE INDEX `outbox_pending_next` ON `outbox` (`next_attempt_at`) WHERE status = 'pending';--> statement-breakpoint
CREATE INDEX `outbox_region_status` ON `outbox` (`region`,`status`);--> statement-breakpoint
CREATE TABLE `timers` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`case_id` text NOT NULL,
	`name` text NOT NULL,
	`due_at` text NOT NULL,
	`event` text NOT NULL,
	`status` text NOT NULL,
	`armed_at` text NOT NULL,
	`settled_at` text,
	FOREIGN KEY (`case_id`) REFERENCES `cases`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `timers_pending_due` ON `timers` (`due_at`) WHERE status = 'pending';--> statement-breakpoint
CREATE UNIQUE INDEX `timers_pending_case_name` ON `timers` (`case_id`,`name`) WHERE status = 'pending';--> statement-breakpoint
ALTER TABLE `cases` ADD `overdue` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `cases_overdue` ON `cases` (`overdue`) WHERE overdue = 1;--> statement-breakpoint
ALTER TABLE `regions` ADD `triage` text;--> statement-breakpoint
ALTER TABLE `regions` ADD `triage_urgent` text;--> statement-breakpoint
ALTER TABLE `regions` ADD `overleg` text;--> statement-breakpoint
ALTER TABLE `regions` ADD `checkpoint` text;--> statement-breakpoint
ALTER TABLE `regions` ADD `reassessment` text;--> statement-breakpoint
ALTER TABLE `regions` ADD `webhook_url` text;--> statement-breakpoint
ALTER TABLE `regions` ADD `webhook_secret` text;