/**
 * An MQTT topic filter (`+` one level, `#` the rest) compiled once, matched against topics without
 * splitting them: the broker's ingest hook and the ingestion consumer match every message, and a
 * split costs an array and a string per level. Rules as in [MQTT-4.7.1]: `#` also matches its parent level (`a/#` matches
 * `a`), `+` matches exactly one level, which may be empty.
 */
export class TopicFilterMatcher {
  private readonly levels: readonly string[];
  private readonly multiLevel: boolean;

  constructor(readonly filter: string) {
    const levels = filter.split('/');
    this.multiLevel = levels[levels.length - 1] === '#';
    this.levels = this.multiLevel ? levels.slice(0, -1) : levels;
  }

  matches(topic: string): boolean {
    let start = 0;
    const levels = this.levels;
    for (let i = 0; i < levels.length; i++) {
      if (start > topic.length) return false; // the topic has fewer levels than the filter
      let end = topic.indexOf('/', start);
      if (end === -1) end = topic.length;
      const level = levels[i];
      if (level !== '+' && (end - start !== level.length || !topic.startsWith(level, start))) return false;
      start = end + 1;
    }
    // `start` is one past the separator after the last compared level, or length + 1 at the end.
    return this.multiLevel || start === topic.length + 1;
  }
}
