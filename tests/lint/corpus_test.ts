/**
 * Corpus conformance: in 2 mode, the exit code of every corpus file equals promtool 2.42's
 * recorded verdict; in 3 mode, Prometheus' rulefmt testdata names (`*.good.yaml`/`*.bad.yaml`)
 * give the verdict. A sample is also checked against Debian's promtool live.
 */
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { join } from "node:path";
import { lintText } from "../../src/lint/lint.ts";
import { CORPUS, corpusPresent, options, promtoolPresent, serviceCatalog } from "./helpers.ts";

const HAVE_CORPUS = corpusPresent();

/** Deliberate deviations from promtool 2.42 in 2 mode (also listed in README): none in the corpus. */
const DEVIATIONS_2 = new Map<string, number>();

function verdicts(): { file: string; exit: number }[] {
  const tsv = Deno.readTextFileSync(join(CORPUS, "promtool-2.42-verdicts.tsv"));
  return tsv.trim().split("\n").slice(1).map((l) => {
    const [file, exit] = l.split("\t");
    return { file, exit: Number(exit) };
  });
}

async function exitOf(file: string, prometheus: 2 | 3, nameValidation: "utf8" | "legacy" = "utf8") {
  const text = Deno.readTextFileSync(join(CORPUS, file));
  const r = lintText(
    file,
    text,
    options({ prometheus, nameValidation, catalog: await serviceCatalog() }),
  );
  return { exit: r.problems.some((p) => p.severity === "error") ? 1 : 0, problems: r.problems };
}

Deno.test({
  name: "2 mode: exit codes agree with promtool 2.42 on every corpus file",
  ignore: !HAVE_CORPUS,
  async fn() {
    const rows = verdicts();
    const disagree: string[] = [];
    for (const { file, exit } of rows) {
      const want = DEVIATIONS_2.get(file) ?? exit;
      const got = await exitOf(file, 2);
      if (got.exit !== want) {
        disagree.push(
          `${file}: promtool ${exit}, lint ${got.exit}: ${JSON.stringify(got.problems)}`,
        );
      }
    }
    console.log(`corpus agreement (2 mode): ${rows.length - disagree.length}/${rows.length} files`);
    assertEquals(disagree, []);
    assertEquals(rows.length > 80, true);
  },
});

Deno.test({
  name: "3 mode: rulefmt testdata *.good.yaml / *.bad.yaml names give the verdict",
  ignore: !HAVE_CORPUS,
  async fn() {
    const dir = "prometheus/model/rulefmt/testdata";
    const files = [...Deno.readDirSync(join(CORPUS, dir))].map((e) => e.name)
      .filter((n) => /\.(good|bad)\.yaml$/.test(n)).sort();
    const disagree: string[] = [];
    for (const name of files) {
      const want = name.endsWith(".bad.yaml") ? 1 : 0;
      // Prometheus runs the legacy_validation_* cases with the legacy name validation scheme.
      const scheme = name.startsWith("legacy_validation") ? "legacy" : "utf8";
      const got = await exitOf(`${dir}/${name}`, 3, scheme);
      if (got.exit !== want) disagree.push(`${name}: want ${want}, got ${got.exit}`);
    }
    console.log(
      `rulefmt testdata agreement (3 mode): ${
        files.length - disagree.length
      }/${files.length} files`,
    );
    assertEquals(disagree, []);
    assertEquals(files.length >= 12, true);
  },
});

Deno.test({
  name: "3 mode: the version_* cases that 2.42 refuses are accepted by 3, braces still refused",
  ignore: !HAVE_CORPUS,
  async fn() {
    assertEquals((await exitOf("cases/version_query_offset_and_group_labels.yml", 3)).exit, 0);
    assertEquals((await exitOf("cases/version_utf8_label_name.yml", 3)).exit, 0);
    const braces = await exitOf("cases/version_record_with_braces.yml", 3);
    assertEquals(braces.exit, 1);
    assertEquals(
      braces.problems[0].message.startsWith("braces present in the recording rule name"),
      true,
    );
  },
});

Deno.test({
  name: "live promtool 2.42 agrees with the recorded verdicts and with 2 mode on a sample",
  ignore: !HAVE_CORPUS || !promtoolPresent(),
  async fn() {
    const sample = verdicts().filter((_, i) => i % 6 === 0);
    for (const { file, exit } of sample) {
      const out = await new Deno.Command("promtool", {
        args: ["check", "rules", file],
        cwd: CORPUS,
        stdout: "null",
        stderr: "null",
      }).output();
      assertEquals(out.code, exit, `promtool on ${file}`);
      assertEquals((await exitOf(file, 2)).exit, exit, `lint on ${file}`);
    }
  },
});
