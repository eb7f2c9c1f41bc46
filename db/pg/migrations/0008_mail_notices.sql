ALTER TABLE "api_clients" ADD COLUMN "last_used_at" text;--> statement-breakpoint
ALTER TABLE "outbox" ADD COLUMN "recipient" text;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "notices" text DEFAULT 'instant' NOT NULL;