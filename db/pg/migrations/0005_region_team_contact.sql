ALTER TABLE "regions" ADD COLUMN "team_name" text;--> statement-breakpoint
ALTER TABLE "regions" ADD COLUMN "phone" text;--> statement-breakpoint
ALTER TABLE "regions" ADD COLUMN "email" text;--> statement-breakpoint
ALTER TABLE "regions" ADD COLUMN "how_to_refer" text;