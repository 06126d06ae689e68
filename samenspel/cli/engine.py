"""Commands that run the engine on files in the exchange format: no database involved."""

from __future__ import annotations

import json
import sys

from samenspel.cli.common import BadInput, load_rows, today


def engine_args(p):
    p.add_argument("needs", metavar="NEEDS.csv", help="needs in the exchange format")
    p.add_argument("offers", metavar="OFFERS.csv", help="offers in the exchange format")
    p.add_argument("--lang", choices=["nl", "en"], default="nl", help="language of the reasons")
    p.add_argument("--today", help="reference date for deadlines (YYYY-MM-DD); default today")


def engine_from_files(args):
    from samenspel import settings
    from samenspel.matching.csvformat import parse_needs, parse_offers
    from samenspel.matching.engine import Engine
    from samenspel.matching.semantic import shared_semantic

    needs = load_rows(args.needs, parse_needs)
    offers = load_rows(args.offers, parse_offers)
    return needs, Engine(
        offers, today=today(args.today), semantic=shared_semantic(settings.embedder())
    )


def cmd_suggest(args) -> int:
    from samenspel.matching.reasons import render_all

    if args.top < 1:
        raise BadInput("--top moet 1 of meer zijn")
    needs, engine = engine_from_files(args)
    results = engine.suggest(needs, top_k=args.top)
    if args.format == "json":
        payload = [
            {
                "need_id": result.need_id,
                "suggestions": [
                    {
                        "offer_id": s.offer_id,
                        "score": s.score,
                        "reasons": render_all(s.reasons, args.lang),
                    }
                    for s in result.suggestions
                ],
            }
            for result in results
        ]
        json.dump(payload, sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        from samenspel.matching.csvformat import (
            write_csv,  # formulas made inert, as in every export
        )

        write_csv(
            sys.stdout,
            ["need_id", "rank", "offer_id", "score", "tie", "reasons"],
            (
                [
                    result.need_id,
                    rank,
                    s.offer_id,
                    s.score,
                    s.tie,
                    "; ".join(render_all(s.reasons, args.lang)),
                ]
                for result in results
                for rank, s in enumerate(result.suggestions, start=1)
            ),
        )
    return 0


def cmd_explain(args) -> int:
    from samenspel.matching.reasons import render, render_all
    from samenspel.matching.types import Exclusion

    needs, engine = engine_from_files(args)
    need = next((n for n in needs if n.id == args.need_id), None)
    if need is None:
        raise BadInput(f"vraag '{args.need_id}' staat niet in {args.needs}")
    if args.offer_id not in engine.by_id:
        raise BadInput(f"aanbod '{args.offer_id}' staat niet in {args.offers}")
    result = engine.explain(need, args.offer_id)
    if isinstance(result, Exclusion):
        payload = {
            "need_id": need.id,
            "offer_id": args.offer_id,
            "excluded": True,
            "code": result.code,
            "reason": render(result.reason, args.lang),
        }
    else:
        payload = {
            "need_id": need.id,
            "offer_id": args.offer_id,
            "excluded": False,
            "score": result.score,
            "components": result.components,
            "tie": result.tie,
            "reasons": render_all(result.reasons, args.lang),
        }
    json.dump(payload, sys.stdout, ensure_ascii=False, indent=2)
    print()
    return 0


def cmd_plan(args) -> int:
    from samenspel.matching.allocation import allocate
    from samenspel.matching.slots import format_slot

    needs, engine = engine_from_files(args)
    suggestions = [s for result in engine.suggest(needs, args.top) for s in result.suggestions]
    plan = allocate(needs, engine.offers, suggestions)
    chosen = {a.need_id: a for a in plan}
    if args.format == "json":
        payload = [
            {"need_id": n.id, "offer_id": chosen[n.id].offer_id if n.id in chosen else None,
             "score": chosen[n.id].score if n.id in chosen else None,
             "slot": format_slot(chosen[n.id].slot, args.lang) if n.id in chosen and chosen[n.id].slot else None}
            for n in needs
        ]  # fmt: skip
        json.dump(payload, sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        from samenspel.matching.csvformat import (
            write_csv,  # formulas made inert, as in every export
        )

        rows = []
        for need in needs:
            a = chosen.get(need.id)
            slot = format_slot(a.slot, args.lang) if a and a.slot else ""
            rows.append([need.id, a.offer_id if a else "", a.score if a else "", slot])
        write_csv(sys.stdout, ["need_id", "offer_id", "score", "slot"], rows)
    return 0


def cmd_fund_plan(args) -> int:
    from samenspel.matching.csvformat import parse_needs, parse_offers
    from samenspel.matching.funding import plan_funding
    from samenspel.matching.funds import CatalogueError, load_catalogue
    from samenspel.matching.reasons import render, render_all

    needs = load_rows(args.needs, parse_needs)
    need = next((n for n in needs if n.id == args.need), None)
    if need is None:
        raise BadInput(f"vraag '{args.need}' staat niet in {args.needs}")
    if need.kind != "money":
        raise BadInput(f"vraag '{args.need}' is geen vraag om geld (kind = {need.kind})")
    if need.amount_eur is None:
        raise BadInput(f"vraag '{args.need}': amount_eur is leeg")
    try:
        funds = load_catalogue(args.funds) if args.funds else load_catalogue()
    except CatalogueError as exc:
        raise BadInput(
            "\n".join(f"{args.funds or 'samenspel/data/funds.csv'}: {e}" for e in exc.errors)
        ) from exc
    except OSError as exc:
        raise BadInput(f"{args.funds}: kan het bestand niet lezen ({exc.strerror})") from exc
    offers = load_rows(args.offers, parse_offers) if args.offers else []
    start = today(args.start) if args.start else None
    plan = plan_funding(need, funds, offers, today=today(args.today), start=start, anbi=args.anbi)
    lang = args.lang
    if args.format == "json":
        payload = {
            "need_id": plan.need_id, "amount": plan.amount, "covered": plan.covered, "missing": plan.missing,
            "start": plan.start.isoformat(), "summary": render_all(plan.summary, lang),
            "lines": [
                {"source_id": line.source_id, "name": line.name, "kind": line.kind, "amount": line.amount,
                 "apply_by": line.apply_by.isoformat() if line.apply_by else None,
                 "reasons": render_all(line.reasons, lang),
                 "url": line.url, "asks": line.asks, "uncertain": line.uncertain}
                for line in plan.lines
            ],
            "excluded": [{"source_id": e.source_id, "name": e.name, "code": e.code,
                          "reason": render(e.reason, lang)} for e in plan.excluded],
            "referrals": [{"source_id": r.source_id, "name": r.name, "reason": render(r.reason, lang)}
                          for r in plan.referrals],
        }  # fmt: skip
        json.dump(payload, sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        for sentence in render_all(plan.summary, lang):
            print(sentence)
        for line in plan.lines:
            when = f" (aanvragen voor {line.apply_by.isoformat()})" if line.apply_by else ""
            print(f"+ {line.name}: EUR {line.amount:,.2f}{when}")
            for reason in render_all(line.reasons, lang):
                print(f"    - {reason}")
            if line.asks:
                print(f"    ? {line.asks}")
            if line.url:
                print(f"    > {line.url}")
        for item in plan.excluded:
            print(f"- {item.name}: {render(item.reason, lang)}")
    return 0


def cmd_bench(args) -> int:
    from samenspel import settings
    from samenspel.matching.bench import run
    from samenspel.matching.semantic import shared_semantic

    if min(args.needs, args.offers, args.sample) < 1:
        raise BadInput("--needs, --offers en --sample moeten 1 of meer zijn")
    result = run(args.needs, args.offers, sample=args.sample, seed=args.seed,
                 semantic=shared_semantic(settings.embedder()),
                 progress=lambda step: print(f"... {step}", file=sys.stderr, flush=True))  # fmt: skip
    print("\n".join(result.lines()))
    return 0


def cmd_matchmarkt(args) -> int:
    from samenspel.matching.matchmarkt import (
        Event,
        candidates_from,
        candidates_per_need,
        greedy_plan,
        party_of_need,
        party_of_offer,
        plan_talks,
    )
    from samenspel.matching.reasons import render_all

    if args.rounds < 1 or args.tables < 1:
        raise BadInput("--rounds en --tables moeten 1 of meer zijn")
    needs, engine = engine_from_files(args)
    parties = {party_of_need(n) for n in needs} | {party_of_offer(o) for o in engine.offers}
    event = Event(rounds=args.rounds, tables=args.tables, parties=tuple(sorted(parties)))
    candidates = candidates_from(needs, engine, candidates_per_need(args.rounds))
    plan = plan_talks(candidates, event)
    greedy = greedy_plan(candidates, event)
    if args.format == "json":
        payload = {
            "meetings": [
                {"round": m.round, "table": m.table, "need_id": m.candidate.need_id,
                 "offer_id": m.candidate.offer_id, "score": m.candidate.score,
                 "reasons": render_all(list(m.candidate.reasons), args.lang)}
                for m in plan.meetings
            ],
            "unplanned": plan.unplanned,
            "plan": plan.summary(),
            "greedy": greedy.summary(),
        }  # fmt: skip
        json.dump(payload, sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        for m in plan.meetings:
            c = m.candidate
            print(f"ronde {m.round} tafel {m.table}: {c.seeker} - {c.giver} "
                  f"({c.need_id} / {c.offer_id}, {c.score:.3f})")  # fmt: skip
        if plan.unplanned:
            print("zonder gesprek: " + ", ".join(plan.unplanned))
        for label, result in (("plan", plan), ("greedy", greedy)):
            s = result.summary()
            print(f"{label}: {s['meetings']} gesprekken, {s['parties_reached']} van "
                  f"{s['parties']} partijen, waarde {s['total_value']:.3f}")  # fmt: skip
    return 0


def cmd_matchmarkt_bench(args) -> int:
    from samenspel.matching.matchmarkt_bench import run

    if min(args.parties, args.rounds, args.tables) < 2:
        raise BadInput("--parties, --rounds en --tables moeten 2 of meer zijn")
    print("\n".join(run(args.parties, args.rounds, args.tables, seed=args.seed)))
    return 0


def register(sub) -> None:
    suggest = sub.add_parser("suggest", help="best offers per need, with reasons")
    engine_args(suggest)
    suggest.add_argument("--top", type=int, default=5, metavar="K", help="suggestions per need")
    suggest.add_argument("--format", choices=["json", "csv"], default="json")
    suggest.set_defaults(func=cmd_suggest)
    explain = sub.add_parser("explain", help="score components of one pair, or why it is excluded")
    engine_args(explain)
    explain.add_argument("need_id", metavar="NEED_ID")
    explain.add_argument("offer_id", metavar="OFFER_ID")
    explain.set_defaults(func=cmd_explain)
    plan = sub.add_parser(
        "plan", help="a recommended plan: one offer per need, within every offer's capacity"
    )
    engine_args(plan)
    plan.add_argument(
        "--top", type=int, default=10, metavar="K", help="suggestions considered per need"
    )
    plan.add_argument("--format", choices=["json", "csv"], default="json")
    plan.set_defaults(func=cmd_plan)
    fund_plan = sub.add_parser("fund-plan", help="a funding plan for one money need")
    fund_plan.add_argument("needs", metavar="NEEDS.csv", help="needs in the exchange format")
    fund_plan.add_argument("--need", required=True, metavar="ID", help="the id of the money need")
    fund_plan.add_argument(
        "--offers", metavar="OFFERS.csv", help="business money offers to include"
    )
    fund_plan.add_argument(
        "--funds",
        metavar="FUNDS.csv",
        help="fund catalogue (default: the catalogue that ships with Samenspel)",
    )
    fund_plan.add_argument(
        "--start", help="project start (YYYY-MM-DD); default the need's deadline"
    )
    fund_plan.add_argument("--today", help="reference date (YYYY-MM-DD); default today")
    fund_plan.add_argument("--anbi", action="store_true", help="the applicant has ANBI status")
    fund_plan.add_argument("--lang", choices=["nl", "en"], default="nl")
    fund_plan.add_argument("--format", choices=["text", "json"], default="text")
    fund_plan.set_defaults(func=cmd_fund_plan)
    bench = sub.add_parser("bench", help="benchmark the engine on synthetic national data")
    bench.add_argument("--needs", type=int, default=50_000)
    bench.add_argument("--offers", type=int, default=50_000)
    bench.add_argument(
        "--sample", type=int, default=2_000, help="size of the naive-reference sample"
    )
    bench.add_argument("--seed", type=int, default=2026)
    bench.set_defaults(func=cmd_bench)
    matchmarkt = sub.add_parser("matchmarkt", help="the plan of 1:1 talks for a matchmarkt")
    engine_args(matchmarkt)
    matchmarkt.add_argument("--rounds", type=int, required=True, metavar="R")
    matchmarkt.add_argument("--tables", type=int, required=True, metavar="T")
    matchmarkt.add_argument("--format", choices=["json", "text"], default="json")
    matchmarkt.set_defaults(func=cmd_matchmarkt)
    mm_bench = sub.add_parser(
        "matchmarkt-bench", help="benchmark the matchmarkt plan against the greedy plan"
    )
    mm_bench.add_argument("--parties", type=int, default=200)
    mm_bench.add_argument("--rounds", type=int, default=8)
    mm_bench.add_argument("--tables", type=int, default=60)
    mm_bench.add_argument("--seed", type=int, default=2026)
    mm_bench.set_defaults(func=cmd_matchmarkt_bench)
