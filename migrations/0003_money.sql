CREATE TABLE `commitments` (
	`id` text PRIMARY KEY NOT NULL,
	`case_id` text NOT NULL,
	`pool_id` text NOT NULL,
	`programme_id` text NOT NULL,
	`year` integer NOT NULL,
	`priority_area_id` text,
	`amount_ore` integer NOT NULL,
	`override_motivation` text,
	`case_version` integer NOT NULL,
	`created_at` text NOT NULL,
	FOREIGN KEY (`case_id`) REFERENCES `cases`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`pool_id`) REFERENCES `grant_pools`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`programme_id`) REFERENCES `programmes`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `commitments_pool` ON `commitments` (`pool_id`);--> statement-breakpoint
CREATE INDEX `commitments_case` ON `commitments` (`case_id`);--> statement-breakpoint
CREATE INDEX `commitments_programme_year` ON `commitments` (`programme_id`,`year`);--> statement-breakpoint
CREATE TABLE `grant_pools` (
	`id` text PRIMARY KEY NOT NULL,
	`programme_id` text NOT NULL,
	`year` integer NOT NULL,
	`kind` text NOT NULL,
	`name` text NOT NULL,
	`amount_ore` integer NOT NULL,
	`created_by` text NOT NULL,
	`created_at` text NOT NULL,
	FOREIGN KEY (`programme_id`) REFERENCES `programmes`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `grant_pools_programme_year_kind` ON `grant_pools` (`programme_id`,`year`,`kind`);--> statement-breakpoint
CREATE TABLE `pool_earmarks` (
	`pool_id` text NOT NULL,
	`priority_area_id` text NOT NULL,
	`amount_ore` integer NOT NULL,
	PRIMARY KEY(`pool_id`, `priority_area_id`),
	FOREIGN KEY (`pool_id`) REFERENCES `grant_pools`(`id`) ON UPDATE no action ON DELETE no action
);
