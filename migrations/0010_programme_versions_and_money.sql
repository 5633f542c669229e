CREATE TABLE `grant_movements` (
	`id` text PRIMARY KEY NOT NULL,
	`case_id` text NOT NULL,
	`pool_id` text NOT NULL,
	`programme_id` text NOT NULL,
	`year` integer NOT NULL,
	`kind` text NOT NULL,
	`amount_ore` integer NOT NULL,
	`date` text NOT NULL,
	`reference` text,
	`motivation` text,
	`automatic` integer DEFAULT false NOT NULL,
	`created_by` text NOT NULL,
	`created_at` text NOT NULL,
	FOREIGN KEY (`case_id`) REFERENCES `cases`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`pool_id`) REFERENCES `grant_pools`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`programme_id`) REFERENCES `programmes`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `grant_movements_case` ON `grant_movements` (`case_id`);--> statement-breakpoint
CREATE INDEX `grant_movements_programme_year` ON `grant_movements` (`programme_id`,`year`);--> statement-breakpoint
CREATE TABLE `pool_adjustments` (
	`id` text PRIMARY KEY NOT NULL,
	`pool_id` text NOT NULL,
	`programme_id` text NOT NULL,
	`kind` text NOT NULL,
	`amount_ore` integer NOT NULL,
	`motivation` text NOT NULL,
	`reference` text,
	`counterpart_pool_id` text,
	`created_by` text NOT NULL,
	`created_at` text NOT NULL,
	FOREIGN KEY (`pool_id`) REFERENCES `grant_pools`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`programme_id`) REFERENCES `programmes`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`counterpart_pool_id`) REFERENCES `grant_pools`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `pool_adjustments_pool` ON `pool_adjustments` (`pool_id`);--> statement-breakpoint
CREATE TABLE `pool_distribution_lines` (
	`distribution_id` text NOT NULL,
	`line` integer NOT NULL,
	`scope` text NOT NULL,
	`recipient` text NOT NULL,
	`priority_area_id` text,
	`amount_ore` integer NOT NULL,
	PRIMARY KEY(`distribution_id`, `line`),
	FOREIGN KEY (`distribution_id`) REFERENCES `pool_distributions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `pool_distributions` (
	`id` text PRIMARY KEY NOT NULL,
	`pool_id` text NOT NULL,
	`programme_id` text NOT NULL,
	`decided_by` text NOT NULL,
	`decision_date` text NOT NULL,
	`reference` text NOT NULL,
	`motivation` text,
	`created_by` text NOT NULL,
	`created_at` text NOT NULL,
	FOREIGN KEY (`pool_id`) REFERENCES `grant_pools`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`programme_id`) REFERENCES `programmes`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `pool_distributions_pool` ON `pool_distributions` (`pool_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `programme_versions` (
	`programme_id` text NOT NULL,
	`version` integer NOT NULL,
	`config` text NOT NULL,
	`source` text NOT NULL,
	`note` text,
	`created_by` text,
	`created_at` text NOT NULL,
	PRIMARY KEY(`programme_id`, `version`),
	FOREIGN KEY (`programme_id`) REFERENCES `programmes`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
ALTER TABLE `cases` ADD `programme_version` integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE `programmes` ADD `version` integer DEFAULT 1 NOT NULL;--> statement-breakpoint
INSERT INTO `programme_versions` (`programme_id`, `version`, `config`, `source`, `note`, `created_by`, `created_at`)
SELECT `id`, 1, `config`, 'file', NULL, NULL, `created_at` FROM `programmes`;
