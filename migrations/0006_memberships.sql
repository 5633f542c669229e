CREATE TABLE `memberships` (
	`user_id` text NOT NULL,
	`programme_id` text NOT NULL,
	`role` text NOT NULL,
	PRIMARY KEY(`user_id`, `programme_id`, `role`),
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`programme_id`) REFERENCES `programmes`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `memberships_programme_role` ON `memberships` (`programme_id`,`role`);--> statement-breakpoint
-- Everyone keeps their roles, in the programme they belonged to. (src/db/client.ts applies
-- migrations with foreign keys off, so rebuilding the users table below deletes nothing.)
INSERT INTO `memberships` (`user_id`, `programme_id`, `role`)
SELECT r.`user_id`, u.`programme_id`, r.`role` FROM `user_roles` r JOIN `users` u ON u.`id` = r.`user_id`;--> statement-breakpoint
DROP TABLE `user_roles`;--> statement-breakpoint
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_users` (
	`id` text PRIMARY KEY NOT NULL,
	`email` text NOT NULL,
	`display_name` text NOT NULL,
	`password_hash` text,
	`language` text DEFAULT 'sv' NOT NULL,
	`disabled` integer DEFAULT false NOT NULL,
	`muted_notifications` text DEFAULT '[]' NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
INSERT INTO `__new_users`("id", "email", "display_name", "password_hash", "language", "disabled", "muted_notifications", "created_at") SELECT "id", "email", "display_name", "password_hash", "language", "disabled", "muted_notifications", "created_at" FROM `users`;--> statement-breakpoint
DROP TABLE `users`;--> statement-breakpoint
ALTER TABLE `__new_users` RENAME TO `users`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE UNIQUE INDEX `users_email_unique` ON `users` (`email`);--> statement-breakpoint
ALTER TABLE `sessions` ADD `programme_id` text REFERENCES programmes(id);