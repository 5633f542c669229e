CREATE TABLE `audit_log` (
	`id` text PRIMARY KEY NOT NULL,
	`at` text NOT NULL,
	`actor_id` text,
	`programme_id` text,
	`action` text NOT NULL,
	`subject_user_id` text,
	`reason` text,
	`details` text DEFAULT '{}' NOT NULL
);
--> statement-breakpoint
CREATE INDEX `audit_programme_at` ON `audit_log` (`programme_id`,`at`);--> statement-breakpoint
CREATE INDEX `audit_subject` ON `audit_log` (`subject_user_id`);--> statement-breakpoint
CREATE TABLE `login_attempts` (
	`account` text NOT NULL,
	`address` text NOT NULL,
	`failures` integer NOT NULL,
	`last_failure_at` text NOT NULL,
	`locked_until` text,
	PRIMARY KEY(`account`, `address`)
);
--> statement-breakpoint
ALTER TABLE `api_tokens` ADD `expires_at` text;--> statement-breakpoint
ALTER TABLE `users` ADD `password_change_required` integer DEFAULT false NOT NULL;