ALTER TABLE `audit_log` ADD `payload_hash` text;--> statement-breakpoint
ALTER TABLE `audit_log` ADD `erased_at` text;--> statement-breakpoint
ALTER TABLE `audit_log` ADD `entry_hash` text;--> statement-breakpoint
ALTER TABLE `cases` ADD `erased_at` text;--> statement-breakpoint
ALTER TABLE `regions` ADD `retention` text;