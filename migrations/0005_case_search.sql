-- Free-text search on the case list: a trigram index over each case's search text
-- (diary number, title, summary, lower-cased), so that a substring is found without reading
-- every case. The text is copied here and kept in step by triggers. The case id is indexed
-- too, so that the triggers find a case's row through the index, not by reading them all.
CREATE VIRTUAL TABLE `case_search` USING fts5(`case_id`, `body`, tokenize = 'trigram');--> statement-breakpoint
INSERT INTO `case_search` (`case_id`, `body`) SELECT `id`, `search_text` FROM `cases`;--> statement-breakpoint
CREATE TRIGGER `case_search_insert` AFTER INSERT ON `cases` BEGIN
  INSERT INTO `case_search` (`case_id`, `body`) VALUES (new.`id`, new.`search_text`);
END;--> statement-breakpoint
CREATE TRIGGER `case_search_update` AFTER UPDATE OF `search_text` ON `cases` WHEN old.`search_text` IS NOT new.`search_text` BEGIN
  DELETE FROM `case_search` WHERE `case_search` MATCH '{case_id} : "' || old.`id` || '"' AND `case_id` = old.`id`;
  INSERT INTO `case_search` (`case_id`, `body`) VALUES (new.`id`, new.`search_text`);
END;--> statement-breakpoint
CREATE TRIGGER `case_search_delete` AFTER DELETE ON `cases` BEGIN
  DELETE FROM `case_search` WHERE `case_search` MATCH '{case_id} : "' || old.`id` || '"' AND `case_id` = old.`id`;
END;
