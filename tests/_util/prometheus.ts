import parsePrometheusTextFormat, { type PrometheusFamily } from 'parse-prometheus-text-format';

/** One scrape of /metrics, read by a Prometheus text-format parser. */
export interface Scrape {
  /** Every metric family by name, with its TYPE and HELP. */
  readonly families: ReadonlyMap<string, PrometheusFamily>;
  /**
   * The value of the one series `name` whose labels include `labels` (a
   * histogram's `x_count`, `x_sum` and `x_bucket` too); undefined when there is
   * none, an error when several match.
   */
  value(name: string, labels?: Readonly<Record<string, string>>): number | undefined;
}

/**
 * parse-prometheus-text-format 1.1.1 reads counters and gauges with their
 * labels, but folds every series of a labelled histogram into one and drops
 * their `_sum` and `_count`. So the text is parsed twice: as it is (every line
 * must parse, and the families keep their types), and with histograms
 * declared untyped, where each `_bucket`, `_sum` and `_count` series stands
 * with its own labels.
 */
export function readScrape(text: string): Scrape {
  const families = new Map(parsePrometheusTextFormat(text).map((f) => [f.name, f]));
  const flat = parsePrometheusTextFormat(
    text.replace(/^# TYPE (\S+) histogram$/gm, '# TYPE $1 untyped'),
  );
  const series = flat.flatMap((family) =>
    family.metrics.map((sample) => ({
      name: family.name,
      labels: sample.labels ?? {},
      value: Number(sample.value),
    })),
  );
  return {
    families,
    value(name, labels = {}) {
      const matches = series.filter(
        (s) =>
          s.name === name &&
          Object.entries(labels).every(([key, value]) => s.labels[key] === value),
      );
      if (matches.length > 1)
        throw new Error(`${matches.length} series of ${name} match ${JSON.stringify(labels)}`);
      return matches[0]?.value;
    },
  };
}
