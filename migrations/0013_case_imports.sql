CREATE TABLE `case_imports` (
	`id` text PRIMARY KEY NOT NULL,
	`programme_id` text NOT NULL,
	`kind` text NOT NULL,
	`key` text NOT NULL,
	`case_id` text NOT NULL,
	`file_name` text NOT NULL,
	`file_sha256` text NOT NULL,
	`sheet` text,
	`row` integer NOT NULL,
	`imported_at` text NOT NULL,
	`imported_by` text NOT NULL,
	FOREIGN KEY (`programme_id`) REFERENCES `programmes`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`case_id`) REFERENCES `cases`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`imported_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `case_imports_key` ON `case_imports` (`programme_id`,`kind`,`key`);--> statement-breakpoint
CREATE INDEX `case_imports_case` ON `case_imports` (`case_id`);