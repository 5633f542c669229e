/**
 * A pure function of a string key, remembered: the answers are kept in a map that is emptied
 * when it holds `limit` of them, so memory stays bounded whatever the keys.
 */
export function memoise<V>(limit: number, compute: (key: string) => V): (key: string) => V {
  const answers = new Map<string, V>();
  return (key) => {
    let value = answers.get(key);
    if (value === undefined) {
      if (answers.size >= limit) answers.clear();
      answers.set(key, (value = compute(key)));
    }
    return value;
  };
}
