ALTER TABLE `api_clients` ADD `last_used_at` text;--> statement-breakpoint
ALTER TABLE `outbox` ADD `recipient` text;--> statement-breakpoint
ALTER TABLE `users` ADD `notices` text DEFAULT 'instant' NOT NULL;