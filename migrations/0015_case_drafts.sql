CREATE TABLE `case_drafts` (
	`case_id` text NOT NULL,
	`user_id` text NOT NULL,
	`event_type` text NOT NULL,
	`values` text NOT NULL,
	`parts` text NOT NULL,
	`base` text NOT NULL,
	`case_version` integer NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	PRIMARY KEY(`case_id`, `user_id`, `event_type`),
	FOREIGN KEY (`case_id`) REFERENCES `cases`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `case_drafts_user` ON `case_drafts` (`user_id`);