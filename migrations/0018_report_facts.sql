ALTER TABLE `cases` ADD `report_facts` text;--> statement-breakpoint
-- Cases that exist already: what the reports read of the snapshot, as src/reports/facts.ts writes it.
UPDATE `cases` SET `report_facts` = json_object(
  'decision', CASE WHEN json_type(`snapshot`, '$.context.decision') = 'object' THEN json_object(
    'decision', json_extract(`snapshot`, '$.context.decision.decision'),
    'decidedOn', json_extract(`snapshot`, '$.context.decision.decidedOn'),
    'at', json_extract(`snapshot`, '$.context.decision.at'),
    'reference', json_extract(`snapshot`, '$.context.decision.reference')) END,
  'scope', json_extract(`snapshot`, '$.context.proposal.scope'),
  'indicators', coalesce(json_extract(`snapshot`, '$.context.proposal.indicators'), json_array()),
  'followUps', (SELECT json_group_array(json_object(
      'date', json_extract(f.`value`, '$.date'),
      'spentToDateOre', json_extract(f.`value`, '$.spentToDateOre'),
      'indicatorValues', json_extract(f.`value`, '$.indicatorValues')))
    FROM json_each(`snapshot`, '$.context.followUps') f),
  'scaleUpDecision', json_extract(`snapshot`, '$.context.scaleUpDecision.decision'),
  'scaleUpRecommendation', json_extract(`snapshot`, '$.context.scaleUpRecommendation.recommendation'));--> statement-breakpoint
CREATE INDEX `cases_report` ON `cases` (`programme_id`,`diary_number`,`id`,`title`,`priority_area_id`,`steps`,`status`,`outcome`,`programme_version`,`created_at`,`report_facts`);
