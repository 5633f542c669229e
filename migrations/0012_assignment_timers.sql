PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_timers` (
	`id` text PRIMARY KEY NOT NULL,
	`case_id` text,
	`assignment_id` text,
	`programme_id` text NOT NULL,
	`kind` text NOT NULL,
	`due_at` text NOT NULL,
	`data` text NOT NULL,
	`status` text NOT NULL,
	`created_at` text NOT NULL,
	`settled_at` text,
	FOREIGN KEY (`case_id`) REFERENCES `cases`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`programme_id`) REFERENCES `programmes`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "timers_one_subject" CHECK((case_id IS NULL) <> (assignment_id IS NULL))
);
--> statement-breakpoint
INSERT INTO `__new_timers`("id", "case_id", "assignment_id", "programme_id", "kind", "due_at", "data", "status", "created_at", "settled_at") SELECT "id", "case_id", NULL, "programme_id", "kind", "due_at", "data", "status", "created_at", "settled_at" FROM `timers`;--> statement-breakpoint
DROP TABLE `timers`;--> statement-breakpoint
ALTER TABLE `__new_timers` RENAME TO `timers`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE INDEX `timers_due` ON `timers` (`status`,`due_at`);--> statement-breakpoint
CREATE INDEX `timers_case` ON `timers` (`case_id`);--> statement-breakpoint
CREATE INDEX `timers_assignment` ON `timers` (`programme_id`,`assignment_id`);