CREATE TABLE `archive_deliveries` (
	`id` text PRIMARY KEY NOT NULL,
	`programme_id` text NOT NULL,
	`case_id` text NOT NULL,
	`case_version` integer NOT NULL,
	`package_name` text NOT NULL,
	`sha256` text NOT NULL,
	`size` integer NOT NULL,
	`delivered_at` text NOT NULL,
	`delivered_by` text NOT NULL,
	FOREIGN KEY (`programme_id`) REFERENCES `programmes`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`case_id`) REFERENCES `cases`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`delivered_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `archive_deliveries_case` ON `archive_deliveries` (`case_id`,`delivered_at`);--> statement-breakpoint
CREATE INDEX `archive_deliveries_programme` ON `archive_deliveries` (`programme_id`,`delivered_at`);--> statement-breakpoint
CREATE TABLE `case_people` (
	`ref` text PRIMARY KEY NOT NULL,
	`case_id` text NOT NULL,
	`user_id` text NOT NULL,
	`key` blob,
	`created_at` text NOT NULL,
	`shredded_at` text,
	FOREIGN KEY (`case_id`) REFERENCES `cases`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `case_people_case_user` ON `case_people` (`case_id`,`user_id`);--> statement-breakpoint
CREATE INDEX `case_people_user` ON `case_people` (`user_id`);--> statement-breakpoint
CREATE TABLE `retention_runs` (
	`id` text PRIMARY KEY NOT NULL,
	`programme_id` text NOT NULL,
	`rule` text NOT NULL,
	`decision` text NOT NULL,
	`ran_at` text NOT NULL,
	`removed` integer NOT NULL,
	`details` text DEFAULT '{}' NOT NULL,
	FOREIGN KEY (`programme_id`) REFERENCES `programmes`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `retention_runs_programme` ON `retention_runs` (`programme_id`,`ran_at`);--> statement-breakpoint
ALTER TABLE `users` ADD `system_administrator` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `users` ADD `erased_at` text;