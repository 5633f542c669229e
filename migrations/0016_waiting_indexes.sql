CREATE INDEX `case_comments_author` ON `case_comments` (`author_id`,`case_id`);--> statement-breakpoint
CREATE INDEX `case_follows_user` ON `case_follows` (`user_id`);