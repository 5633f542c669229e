CREATE TABLE `case_steps` (
	`case_id` text NOT NULL,
	`programme_id` text NOT NULL,
	`step` integer NOT NULL,
	`created_at` text NOT NULL,
	PRIMARY KEY(`case_id`, `step`),
	FOREIGN KEY (`case_id`) REFERENCES `cases`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `case_steps_programme_step_created` ON `case_steps` (`programme_id`,`step`,`created_at`,`case_id`);--> statement-breakpoint
CREATE INDEX `cases_programme_status_created` ON `cases` (`programme_id`,`status`,`created_at`,`id`);--> statement-breakpoint
-- Cases that exist already: one row per step they stand at ("steps" is ",10,11,12,").
INSERT INTO `case_steps` (`case_id`, `programme_id`, `step`, `created_at`)
SELECT c.`id`, c.`programme_id`, CAST(j.`value` AS INTEGER), c.`created_at`
FROM `cases` c, json_each('[' || trim(c.`steps`, ',') || ']') j;
