ALTER TABLE "cases" ADD COLUMN "regisseur" text;--> statement-breakpoint
CREATE INDEX "cases_region_regisseur_seq" ON "cases" USING btree ("region","regisseur","seq") WHERE regisseur IS NOT NULL;