CREATE INDEX `case_events_deadline_passed_at` ON `case_events` (`at`) WHERE type = 'DEADLINE_PASSED';--> statement-breakpoint
CREATE INDEX `case_events_escalate_at` ON `case_events` (`at`) WHERE type = 'ESCALATE';--> statement-breakpoint
CREATE INDEX `case_events_update_help_item_at` ON `case_events` (`at`) WHERE type = 'UPDATE_HELP_ITEM';