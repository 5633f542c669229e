CREATE TABLE `case_plan_links` (
	`id` text PRIMARY KEY NOT NULL,
	`case_id` text NOT NULL,
	`programme_id` text NOT NULL,
	`target_kind` text NOT NULL,
	`target_id` text NOT NULL,
	`action` text NOT NULL,
	`created_by` text NOT NULL,
	`created_at` text NOT NULL,
	`seq` integer NOT NULL,
	FOREIGN KEY (`case_id`) REFERENCES `cases`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`programme_id`) REFERENCES `programmes`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `case_plan_links_case` ON `case_plan_links` (`case_id`,`seq`);--> statement-breakpoint
CREATE INDEX `case_plan_links_target` ON `case_plan_links` (`programme_id`,`target_kind`,`target_id`);--> statement-breakpoint
CREATE TABLE `plan_assignment_events` (
	`id` text PRIMARY KEY NOT NULL,
	`programme_id` text NOT NULL,
	`assignment_id` text NOT NULL,
	`status` text NOT NULL,
	`note` text,
	`plan_version` integer NOT NULL,
	`created_by` text NOT NULL,
	`created_at` text NOT NULL,
	`seq` integer NOT NULL,
	FOREIGN KEY (`programme_id`) REFERENCES `programmes`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `plan_assignment_events_assignment` ON `plan_assignment_events` (`programme_id`,`assignment_id`,`seq`);--> statement-breakpoint
CREATE TABLE `plan_indicator_values` (
	`id` text PRIMARY KEY NOT NULL,
	`programme_id` text NOT NULL,
	`indicator_id` text NOT NULL,
	`year` integer NOT NULL,
	`value` text NOT NULL,
	`note` text,
	`plan_version` integer NOT NULL,
	`created_by` text NOT NULL,
	`created_at` text NOT NULL,
	`seq` integer NOT NULL,
	FOREIGN KEY (`programme_id`) REFERENCES `programmes`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `plan_indicator_values_indicator` ON `plan_indicator_values` (`programme_id`,`indicator_id`,`year`,`seq`);--> statement-breakpoint
CREATE TABLE `plan_revisions` (
	`id` text PRIMARY KEY NOT NULL,
	`programme_id` text NOT NULL,
	`version` integer NOT NULL,
	`status` text NOT NULL,
	`document` text NOT NULL,
	`draft_counter` integer NOT NULL,
	`adopted_by_body` text,
	`decision_reference` text,
	`decision_date` text,
	`next_revision_due` text,
	`created_by` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_by` text NOT NULL,
	`updated_at` text NOT NULL,
	`adopted_by` text,
	`adopted_at` text,
	FOREIGN KEY (`programme_id`) REFERENCES `programmes`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `plan_revisions_programme_version` ON `plan_revisions` (`programme_id`,`version`);--> statement-breakpoint
CREATE INDEX `plan_revisions_programme_status` ON `plan_revisions` (`programme_id`,`status`,`version`);