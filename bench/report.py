"""Turns bench/run's measurements into a markdown table with ratios and a bar chart.

Usage: report.py TIMES.tsv RESULTS.md CHART.png
"""

import statistics
import sys
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main() -> None:
    times_path, markdown_path, chart_path = sys.argv[1:4]
    samples: dict[str, list[float]] = defaultdict(list)
    for line in open(times_path):
        name, value = line.rstrip("\n").split("\t")
        samples[name].append(float(value))
    median = {name: statistics.median(values) for name, values in samples.items()}

    def get(name: str) -> float:
        return median.get(name, float("nan"))

    lines = ["# Benchmark results", "", "Medians of interleaved rounds on this machine; produced by `bench/run`.", ""]

    lines += ["## Hit latency (ms)", "", "| file | hoard direct | hoard preprocessor | ccache direct | ccache preprocessor"
              " | sccache direct | sccache preprocessor | no cache |", "|---|---|---|---|---|---|---|---|"]
    for file in ["tiny.c", "heavy.cpp"]:
        cells = [f"{get(f'hit|{file}|{tool}') * 1000:.2f}" for tool in
                 ["hoard direct", "hoard preprocessor", "ccache direct", "ccache preprocessor", "sccache direct",
                  "sccache preprocessor", "no cache"]]
        lines.append(f"| {file} | " + " | ".join(cells) + " |")
    lines.append("")
    for file in ["tiny.c", "heavy.cpp"]:
        direct = get(f"hit|{file}|hoard direct")
        preprocessor = get(f"hit|{file}|hoard preprocessor")
        lines.append(
            f"- {file}: hoard/ccache direct {direct / get(f'hit|{file}|ccache direct'):.2f}x, "
            f"preprocessor {preprocessor / get(f'hit|{file}|ccache preprocessor'):.2f}x; "
            f"hoard/sccache direct {direct / get(f'hit|{file}|sccache direct'):.2f}x, "
            f"preprocessor {preprocessor / get(f'hit|{file}|sccache preprocessor'):.2f}x"
        )
    lines.append("")

    lines += ["## Builds with make -j2 (s)", "", "| build | gcc | hoard | ccache | sccache | hoard/gcc | hoard/ccache |"
              " hoard/sccache |", "|---|---|---|---|---|---|---|---|"]
    for kind in ["cold", "warm"]:
        for project in ["lua", "zlib"]:
            values = {tool: get(f"{kind}|{project}|{tool}") for tool in ["gcc", "hoard", "ccache", "sccache"]}
            lines.append(
                f"| {project} {kind} | {values['gcc']:.3f} | {values['hoard']:.3f} | {values['ccache']:.3f} | "
                f"{values['sccache']:.3f} | {values['hoard'] / values['gcc']:.3f} | "
                f"{values['hoard'] / values['ccache']:.2f} | {values['hoard'] / values['sccache']:.2f} |"
            )
    lines.append("")
    # Rounds are interleaved, so each round's cold builds ran side by side: their ratios show the noise.
    for project in ["lua", "zlib"]:
        pairs = zip(samples[f"cold|{project}|hoard"], samples[f"cold|{project}|gcc"])
        ratios = sorted(hoard / gcc for hoard, gcc in pairs)
        if ratios:
            lines.append(
                f"- {project} cold hoard/gcc in each round: " + ", ".join(f"{ratio:.3f}" for ratio in ratios)
                + f" (median {statistics.median(ratios):.3f})"
            )
    lines.append("")

    # A warm rebuild also runs what no compiler cache touches: ar and ranlib, which make runs directly, and the links,
    # which a cache passes on to the compiler. Each round timed that alone (every object already there), so the rest,
    # the part a cache controls, is each round's rebuild minus it.
    def part(name: str, project: str) -> float:
        pairs = zip(samples[name], samples[f"no compiles|{project}"])
        return statistics.median(whole - fixed for whole, fixed in pairs) if samples[name] else float("nan")

    lines += ["## Warm rebuilds, split (s)", "", "The archive and the links are the same work for every tool; the"
              " floor is bench/instant-cc.c, a static \"compiler\" that only copies the objects.", "",
              "| build | archive and links | compiles: floor | hoard | ccache | sccache | hoard/ccache | hoard/sccache"
              " | floor/sccache, whole rebuild |", "|---|---|---|---|---|---|---|---|---|"]
    for project in ["lua", "zlib"]:
        parts = {tool: part(f"warm|{project}|{tool}", project) for tool in ["hoard", "ccache", "sccache"]}
        lines.append(
            f"| {project} | {get(f'no compiles|{project}'):.3f} | {part(f'floor|{project}', project):.3f} | "
            f"{parts['hoard']:.3f} | {parts['ccache']:.3f} | {parts['sccache']:.3f} | "
            f"{parts['hoard'] / parts['ccache']:.2f} | {parts['hoard'] / parts['sccache']:.2f} | "
            f"{get(f'floor|{project}') / get(f'warm|{project}|sccache'):.2f} |"
        )
    lines.append("")

    hoard_hash = get("blake3|hoard --hash-file")
    reference = get("blake3|reference (one thread)")
    lines += ["## Other", "", "| measurement | value |", "|---|---|",
              f"| BLAKE3, 64 MiB file: hoard --hash-file | {64 / hoard_hash:.0f} MiB/s |",
              f"| BLAKE3, 64 MiB file: reference, one thread | {64 / reference:.0f} MiB/s |",
              f"| BLAKE3 ratio (hoard / reference) | {reference / hoard_hash:.2f} |",
              f"| start-up: hoard --version | {get('startup|hoard --version') * 1000:.2f} ms |",
              f"| start-up: static C hello world | {get('startup|static C hello world') * 1000:.2f} ms |",
              f"| start-up ratio | {get('startup|hoard --version') / get('startup|static C hello world'):.2f} |",
              f"| hoardd resident memory after a Lua build | {get('memory|hoardd after a Lua build (MiB)'):.1f} MiB |",
              ""]
    open(markdown_path, "w").write("\n".join(lines))

    figure, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    tools = ["hoard direct", "hoard preprocessor", "ccache direct", "ccache preprocessor", "sccache direct",
             "sccache preprocessor"]
    for index, file in enumerate(["tiny.c", "heavy.cpp"]):
        values = [get(f"hit|{file}|{tool}") * 1000 for tool in tools]
        axes[0].bar([i + index * 0.4 for i in range(len(tools))], values, width=0.4, label=file)
    axes[0].set_xticks([i + 0.2 for i in range(len(tools))], tools, rotation=30, ha="right")
    axes[0].set_ylabel("hit latency (ms, lower is better)")
    axes[0].legend()
    builds = ["lua cold", "lua warm", "zlib cold", "zlib warm"]
    for index, tool in enumerate(["gcc", "hoard", "ccache", "sccache"]):
        values = [get(f"{b.split()[1]}|{b.split()[0]}|{tool}") for b in builds]
        axes[1].bar([i + index * 0.2 for i in range(len(builds))], values, width=0.2, label=tool)
    axes[1].set_xticks([i + 0.3 for i in range(len(builds))], builds)
    axes[1].set_ylabel("make -j2 (s, lower is better)")
    axes[1].legend()
    figure.tight_layout()
    figure.savefig(chart_path, dpi=100)


if __name__ == "__main__":
    main()
