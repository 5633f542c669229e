CREATE TABLE `case_comments` (
	`id` text PRIMARY KEY NOT NULL,
	`case_id` text NOT NULL,
	`programme_id` text NOT NULL,
	`visibility` text NOT NULL,
	`body` text NOT NULL,
	`author_id` text NOT NULL,
	`created_at` text NOT NULL,
	`case_version` integer NOT NULL,
	FOREIGN KEY (`case_id`) REFERENCES `cases`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`programme_id`) REFERENCES `programmes`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`author_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `case_comments_case` ON `case_comments` (`case_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `case_documents` (
	`id` text PRIMARY KEY NOT NULL,
	`case_id` text NOT NULL,
	`programme_id` text NOT NULL,
	`sha256` text NOT NULL,
	`size` integer NOT NULL,
	`media_type` text NOT NULL,
	`file_name` text NOT NULL,
	`description` text,
	`added_by` text NOT NULL,
	`added_at` text NOT NULL,
	`case_version` integer NOT NULL,
	`replaces_id` text,
	`replaced_by_id` text,
	`withdrawn_by` text,
	`withdrawn_at` text,
	`withdrawn_reason` text,
	FOREIGN KEY (`case_id`) REFERENCES `cases`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`programme_id`) REFERENCES `programmes`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`added_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`withdrawn_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `case_documents_case` ON `case_documents` (`case_id`,`added_at`);--> statement-breakpoint
CREATE INDEX `case_documents_sha` ON `case_documents` (`sha256`);--> statement-breakpoint
CREATE TABLE `case_follows` (
	`case_id` text NOT NULL,
	`user_id` text NOT NULL,
	`following` integer NOT NULL,
	`changed_at` text NOT NULL,
	PRIMARY KEY(`case_id`, `user_id`),
	FOREIGN KEY (`case_id`) REFERENCES `cases`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
