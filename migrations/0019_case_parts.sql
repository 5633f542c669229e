CREATE TABLE `case_parts` (
	`case_id` text NOT NULL,
	`part` text NOT NULL,
	`data` text NOT NULL,
	PRIMARY KEY(`case_id`, `part`),
	FOREIGN KEY (`case_id`) REFERENCES `cases`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
DROP INDEX `case_people_case_user`;--> statement-breakpoint
CREATE INDEX `case_people_case_user` ON `case_people` (`case_id`,`user_id`,`ref`,`key`);
--> statement-breakpoint
-- The bulky parts of every case's snapshot move to case_parts (src/engine/case-parts.ts names
-- them); the case's row keeps the rest. Together they are the snapshot as it was.
INSERT INTO `case_parts` (`case_id`, `part`, `data`)
  SELECT `id`, 'programme', `snapshot` -> '$.context.programme' FROM `cases` WHERE json_type(`snapshot`, '$.context.programme') IS NOT NULL
UNION ALL
  SELECT `id`, 'idea', `snapshot` -> '$.context.idea' FROM `cases` WHERE json_type(`snapshot`, '$.context.idea') IS NOT NULL
UNION ALL
  SELECT `id`, 'coordinationGroup', `snapshot` -> '$.context.coordinationGroup' FROM `cases` WHERE json_type(`snapshot`, '$.context.coordinationGroup') IS NOT NULL
UNION ALL
  SELECT `id`, 'dialogueForum', `snapshot` -> '$.context.dialogueForum' FROM `cases` WHERE json_type(`snapshot`, '$.context.dialogueForum') IS NOT NULL
UNION ALL
  SELECT `id`, 'checkIns', `snapshot` -> '$.context.checkIns' FROM `cases` WHERE json_type(`snapshot`, '$.context.checkIns') IS NOT NULL
UNION ALL
  SELECT `id`, 'proposal', `snapshot` -> '$.context.proposal' FROM `cases` WHERE json_type(`snapshot`, '$.context.proposal') IS NOT NULL
UNION ALL
  SELECT `id`, 'criteria', `snapshot` -> '$.context.criteria' FROM `cases` WHERE json_type(`snapshot`, '$.context.criteria') IS NOT NULL
UNION ALL
  SELECT `id`, 'contact', `snapshot` -> '$.context.contact' FROM `cases` WHERE json_type(`snapshot`, '$.context.contact') IS NOT NULL
UNION ALL
  SELECT `id`, 'ideaTemplate', `snapshot` -> '$.context.ideaTemplate' FROM `cases` WHERE json_type(`snapshot`, '$.context.ideaTemplate') IS NOT NULL
UNION ALL
  SELECT `id`, 'targetGroupDialogue', `snapshot` -> '$.context.targetGroupDialogue' FROM `cases` WHERE json_type(`snapshot`, '$.context.targetGroupDialogue') IS NOT NULL
UNION ALL
  SELECT `id`, 'recommendation', `snapshot` -> '$.context.recommendation' FROM `cases` WHERE json_type(`snapshot`, '$.context.recommendation') IS NOT NULL;--> statement-breakpoint
UPDATE `cases` SET `snapshot` = json_remove(`snapshot`, '$.context.programme', '$.context.idea', '$.context.coordinationGroup', '$.context.dialogueForum', '$.context.checkIns', '$.context.proposal', '$.context.criteria', '$.context.contact', '$.context.ideaTemplate', '$.context.targetGroupDialogue', '$.context.recommendation');
