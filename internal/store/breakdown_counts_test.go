package store_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/hearme-project/hearme/internal/analysis"
	"github.com/hearme-project/hearme/internal/demo"
	"github.com/hearme-project/hearme/internal/equality"
	"github.com/hearme-project/hearme/internal/experience"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/store/storetest"
)

// keptCounts reads every kept breakdown count, as "scope|col|row|month|rv|cv=n/passages" lines.
func keptCounts(t *testing.T, s *store.Store) []string {
	t.Helper()
	rows, err := s.ReadDB().Query("SELECT scope, col_dim, row_kind, month, row_value, col_value, n, passages FROM breakdown_counts")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var sc, a, b, c, d, e string
		var n, p int
		if err := rows.Scan(&sc, &a, &b, &c, &d, &e, &n, &p); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%s|%s|%s|%s|%s|%s=%d/%d", sc, a, b, c, d, e, n, p))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// checkAgainstRecount compares the counts kept as changes happened with
// the counts made from scratch, and every answer the breakdown and
// evidence pages read from them (the table and its tests under each
// filter, the census comparison, co-occurrence, the experiences from
// events, the themes by stage) with the answer made from every
// experience's facts.
func checkAgainstRecount(t *testing.T, s *store.Store, step string) {
	t.Helper()
	book := codebookOf(t, s)
	facts, err := s.AnalysisFacts(ctx, book)
	if err != nil {
		t.Fatal(err)
	}
	communities := []string{"south-asian", "black-african", "eastern-european", "nobody-here"}
	stages := []string{"screening", "treatment", "getting-diagnosed", "nobody-here"}
	// Every filter (each community and stage, alone and together, with
	// and without months) against each kind of row, the columns taken in
	// turn.
	var filters []analysis.Filter
	for _, c := range append([]string{""}, communities...) {
		for _, st := range append([]string{""}, stages...) {
			filters = append(filters, analysis.Filter{Community: c, Stage: st})
			filters = append(filters, analysis.Filter{Community: c, Stage: st, From: "2026-02", To: "2026-03"})
		}
	}
	allCols := []analysis.Dimension{analysis.DimCommunity, analysis.DimSource, analysis.DimEvent, analysis.DimLanguage, analysis.DimPeriod, analysis.EqualityDimension("ethnic_group")}
	margins := []analysis.Dimension{analysis.DimCommunity, analysis.EqualityDimension("main_language"), analysis.EqualityDimension("ethnic_group")}
	groups := []analysis.PopulationGroup{{Key: "asian", Population: 500, Match: []string{"south-asian", "indian"}},
		{Key: "black", Population: 300, Match: []string{"black-african", "african"}}, {Key: "other", Population: 200}}
	turn := len(step)
	for ri, rows := range []analysis.Dimension{analysis.DimTheme, analysis.DimCode, analysis.DimStage} {
		for fi, f := range filters {
			cols := allCols[(turn+ri+fi)%len(allCols)]
			{
				pairs := analysis.DimTheme
				if rows == analysis.DimCode {
					pairs = analysis.DimCode
				}
				c, err := s.BreakdownCounts(ctx, store.BreakdownQuery{Rows: rows, Cols: cols, Filter: f, Margins: margins, Pairs: pairs})
				if err != nil {
					t.Fatal(err)
				}
				in := slices.DeleteFunc(slices.Clone(facts), func(x analysis.Fact) bool { return !f.Keep(x) })
				if c.All != len(facts) || c.Experiences != len(in) {
					t.Fatalf("%s: %s x %s %+v: kept %d experiences of %d, facts %d of %d", step, rows, cols, f, c.Experiences, c.All, len(in), len(facts))
				}
				rk, ck := analysis.Keys(in, rows), analysis.Keys(in, cols)
				if !slices.Equal(c.RowValues, rk) || !slices.Equal(c.ColValues(), ck) {
					t.Fatalf("%s: %s x %s %+v: kept values %v x %v, facts %v x %v", step, rows, cols, f, c.RowValues, c.ColValues(), rk, ck)
				}
				got, want := analysis.TabulateCounts(c, rk, ck), analysis.Tabulate(in, rows, cols, rk, ck)
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Fatalf("%s: %s x %s %+v:\nkept  %+v\nfacts %+v", step, rows, cols, f, got, want)
				}
				if analysis.PassagesMeasured(rows) {
					got, want := analysis.TabulatePassageCounts(c, rk, ck), analysis.TabulatePassages(in, rows, cols, rk, ck)
					if fmt.Sprint(got) != fmt.Sprint(want) {
						t.Fatalf("%s: passages by %s x %s %+v:\nkept  %+v\nfacts %+v", step, rows, cols, f, got, want)
					}
				}
				fromEvent := 0
				for _, x := range in {
					if x.FromEvent {
						fromEvent++
					}
				}
				if c.FromEvent != fromEvent {
					t.Fatalf("%s: %+v: %d from events kept, %d in the facts", step, f, c.FromEvent, fromEvent)
				}
				for _, m := range margins {
					got, want := analysis.CompareCensusCounts(c.Margins[m], c.Experiences, groups, 1000), analysis.CompareCensus(in, m, groups, 1000)
					if fmt.Sprint(got) != fmt.Sprint(want) {
						t.Fatalf("%s: census by %s %+v:\nkept  %+v\nfacts %+v", step, m, f, got, want)
					}
				}
				keys := analysis.Keys(in, pairs)
				if wk := analysis.CountPairs(in, pairs).With; !slices.Equal(keys, sortedKeys(c.Pairs.With)) {
					t.Fatalf("%s: %s named %v kept, %v in the facts (%v)", step, pairs, sortedKeys(c.Pairs.With), keys, wk)
				}
				slices.Reverse(keys) // any order the page gives
				got2, want2 := analysis.CoOccurrenceCounts(c.Pairs, keys), analysis.CoOccurrence(in, pairs, keys)
				if fmt.Sprint(got2) != fmt.Sprint(want2) {
					t.Fatalf("%s: co-occurrence of %s %+v:\nkept  %+v\nfacts %+v", step, pairs, f, got2, want2)
				}
			}
		}
	}
	// The stakeholders' themes by stage.
	// The page asks for the programme's stages; here, every stage the
	// facts name and the test's own (one of which nobody named).
	themes, allStages := analysis.Keys(facts, analysis.DimTheme), analysis.Keys(facts, analysis.DimStage)
	stageTotals, byStage, err := s.StageThemeCounts(ctx, append(append([]string{"living-with-after"}, stages...), allStages...))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(sortedKeys(stageTotals), allStages) {
		t.Fatalf("%s: stages kept %v, in the facts %v", step, stageTotals, allStages)
	}
	got, err := analysis.PublishedThemeStagesCounts(byStage, themes, allStages)
	if err != nil {
		t.Fatal(err)
	}
	want, err := analysis.PublishedThemeStages(facts, themes, allStages)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("%s: themes by stage kept %v, facts %v", step, got, want)
	}
	kept := keptCounts(t, s)
	if _, err := s.RecountBreakdowns(ctx); err != nil {
		t.Fatal(err)
	}
	if again := keptCounts(t, s); !slices.Equal(kept, again) {
		t.Fatalf("%s: the kept counts differ from a recount:\nkept    %v\nrecount %v", step, kept, again)
	}
}

func sortedKeys(m map[string]int) []string {
	var out []string
	for k, n := range m {
		if n > 0 {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

func codebookOf(t *testing.T, s *store.Store) *analysis.Codebook {
	t.Helper()
	codes, err := s.Codes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var plain []analysis.Code
	for _, c := range codes {
		plain = append(plain, c.Code)
	}
	return analysis.NewCodebook(plain)
}

// TestBreakdownCountsFollowEveryChange applies random sequences of
// approvals, rejections, codings added and removed, corrections (back to
// moderation), withdrawals, code merges and moves and an event's
// community changing, and after each step checks the kept counts against
// a recount from scratch and against the facts of every experience.
func TestBreakdownCountsFollowEveryChange(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		loadDemoCodebook(t, s)
		clock := time.Date(2026, 1, 20, 9, 0, 0, 0, time.UTC)
		s.SetClock(func() time.Time { clock = clock.Add(37 * time.Hour); return clock })
		rng := rand.New(rand.NewPCG(12, uint64(len(s.Dialect()))))
		ev := newTestEvent(t, s, 40, time.Date(2026, 1, 25, 10, 0, 0, 0, time.UTC)).ID
		communities := []string{"", "prefer-not-to-say", "south-asian", "black-african", "eastern-european"}
		stages := []string{"screening", "treatment", "getting-diagnosed"}
		codes := []string{demo.CodeID("waiting"), demo.CodeID("language"), demo.CodeID("language-family-interpreting"), demo.CodeID("money"), demo.CodeID("transport"), demo.CodeID("screening")}
		type story struct {
			rc       experience.Receipt
			state    string // pending, approved, rejected, restricted, gone
			before   string // the state a restriction keeps
			codings  []string
			fromDemo bool
		}
		var stories []*story
		submit := func() *story {
			sub := searchStory([]string{"en", "pl", "ur"}[rng.IntN(3)], "We waited. The letter came late. Nobody rang back.", stages[rng.IntN(3)])
			if rng.IntN(2) == 0 {
				sub.Stages = append(sub.Stages, stages[rng.IntN(3)])
				slices.Sort(sub.Stages)
				sub.Stages = slices.Compact(sub.Stages)
			}
			sub.Equality = equality.Answers{Community: communities[rng.IntN(len(communities))]}
			if rng.IntN(2) == 0 {
				sub.Equality.EthnicGroup = []string{"indian", "polish", "african"}[rng.IntN(3)]
			}
			if rng.IntN(3) == 0 {
				sub.Source, sub.EventID = experience.SourceEvent, ev
			}
			rc, err := s.SubmitExperience(ctx, sub, experience.Contact{})
			if err != nil {
				t.Fatal(err)
			}
			st := &story{rc: rc, state: "pending"}
			stories = append(stories, st)
			return st
		}
		pickStory := func(state string) *story {
			var c []*story
			for _, st := range stories {
				if st.state == state {
					c = append(c, st)
				}
			}
			if len(c) == 0 {
				return nil
			}
			return c[rng.IntN(len(c))]
		}
		for range 6 {
			submit()
		}
		// An erasure removes with deleteExperienceTx, as a withdrawal does.
		st := submit()
		if err := s.DecideExperience(ctx, "connector-1", st.rc.ID, experience.StatusApproved, ""); err != nil {
			t.Fatal(err)
		}
		checkAgainstRecount(t, s, "one approved")
		if _, _, err := s.ErasePerson(ctx, "dpo-1", "", store.PersonQuery{Reference: st.rc.Reference}); err != nil {
			t.Fatal(err)
		}
		st.state = "gone"
		checkAgainstRecount(t, s, "erased")
		for step := range 60 {
			op := rng.IntN(10)
			name := ""
			switch op {
			case 0, 1:
				name = "submit and approve"
				st := submit()
				if err := s.DecideExperience(ctx, "connector-1", st.rc.ID, experience.StatusApproved, ""); err != nil {
					t.Fatal(err)
				}
				st.state = "approved"
			case 2:
				name = "approve or reject"
				if st := pickStory("pending"); st != nil {
					status := experience.StatusApproved
					if rng.IntN(3) == 0 {
						status = experience.StatusRejected
					}
					if err := s.DecideExperience(ctx, "connector-1", st.rc.ID, status, "r"); err != nil {
						t.Fatal(err)
					}
					st.state = string(status)
				}
			case 3, 4, 5:
				name = "code"
				if st := pickStory("approved"); st != nil {
					// The whole answer or one of three stretches, so that a
					// code or theme gets several passages and, now and
					// then, one stretch two codes.
					field := "what_happened"
					p := analysis.Passage{Field: field, Whole: true}
					if span := rng.IntN(4); span > 0 {
						p = analysis.Passage{Field: field, Start: []int{0, 11, 33}[span-1], End: []int{9, 32, 50}[span-1]}
					}
					c, err := s.AddCoding(ctx, "coder-1", store.NewCoding{ExperienceID: st.rc.ID, CodeID: codes[rng.IntN(len(codes))], Passage: p})
					if err != nil {
						t.Fatal(err)
					}
					st.codings = append(st.codings, c.ID)
				}
			case 6:
				name = "uncode"
				if st := pickStory("approved"); st != nil && len(st.codings) > 0 {
					i := rng.IntN(len(st.codings))
					if err := s.RemoveCoding(ctx, st.codings[i]); err != nil && err != store.ErrNotFound {
						t.Fatal(err)
					}
					st.codings = slices.Delete(st.codings, i, i+1)
				}
			case 7:
				name = "withdraw, correct, restrict or lift"
				if st := pickStory("restricted"); st != nil && rng.IntN(2) == 0 {
					if err := s.LiftRestriction(ctx, "dpo-1", "", st.rc.ID); err != nil {
						t.Fatal(err)
					}
					st.state = st.before
				} else if st := pickStory("approved"); st != nil {
					if r := rng.IntN(3); r == 2 {
						if err := s.RestrictExperience(ctx, "dpo-1", "", st.rc.ID); err != nil {
							t.Fatal(err)
						}
						st.state, st.before = "restricted", "approved"
					} else if r == 0 {
						if err := s.WithdrawExperience(ctx, st.rc.Reference, st.rc.Secret); err != nil {
							t.Fatal(err)
						}
						st.state = "gone"
					} else {
						if err := s.AddCorrection(ctx, st.rc.Reference, st.rc.Secret, "One more thing."); err != nil {
							t.Fatal(err)
						}
						st.state = "pending"
					}
				}
			case 8:
				name = "move a code"
				parents := []string{"", demo.CodeID("communication"), demo.CodeID("language")}
				id := codes[rng.IntN(len(codes))]
				// A move the codebook refuses (into itself, a name taken)
				// changes nothing; the check below still holds.
				_ = s.MoveCode(ctx, "admin-1", id, parents[rng.IntN(len(parents))])
			case 9:
				name = "event community"
				e, err := s.Event(ctx, ev)
				if err != nil {
					t.Fatal(err)
				}
				e.Community = communities[2+rng.IntN(3)]
				if _, err := s.UpdateEvent(ctx, "connector-1", e, nil); err != nil {
					t.Fatal(err)
				}
			}
			checkAgainstRecount(t, s, fmt.Sprintf("step %d (%s)", step, name))
		}
		// The sequence gave some theme more passages than experiences
		// (else the passages were hardly tried).
		var more int
		if err := s.ReadDB().QueryRow("SELECT COUNT(*) FROM breakdown_counts WHERE row_kind = 'theme' AND passages > n").Scan(&more); err != nil || more == 0 {
			t.Fatalf("no theme with more passages than experiences (%v)", err)
		}
		// A merge moves codings between codes (and their themes).
		if _, err := s.MergeCode(ctx, "admin-1", demo.CodeID("transport"), demo.CodeID("money")); err != nil {
			t.Fatal(err)
		}
		checkAgainstRecount(t, s, "merge")
		// Demo removal takes its stories out of the counts.
		var left []*story
		for _, st := range stories {
			if st.state == "approved" || st.state == "pending" {
				left = append(left, st)
			}
		}
		if len(left) < 4 {
			t.Fatalf("only %d stories left; the sequence should leave more", len(left))
		}
		for _, st := range left[:2] {
			if err := s.MarkDemoExperience(ctx, st.rc.ID); err != nil {
				t.Fatal(err)
			}
			st.state = "gone"
		}
		if _, err := s.RemoveDemo(ctx, "admin-1"); err != nil {
			t.Fatal(err)
		}
		checkAgainstRecount(t, s, "demo removed")
		// So does retention after the programme's end, a batch at a time.
		prog := demo.Luton()
		prog.Settings.EndDate = "2026-01-01"
		if err := s.ReplaceProgramme(ctx, "test", prog); err != nil {
			t.Fatal(err)
		}
		if n, err := s.RetentionPurge(ctx, "experiences-after-programme-end", clock.Add(24*time.Hour), 2); err != nil || n != 2 {
			t.Fatalf("purge experiences: %d %v", n, err)
		}
		checkAgainstRecount(t, s, "retention")
		if _, err := s.RetentionPurge(ctx, "experiences-after-programme-end", clock.Add(24*time.Hour), 1000); err != nil {
			t.Fatal(err)
		}
		if kept := keptCounts(t, s); len(kept) != 0 {
			t.Fatalf("counts left after retention removed every story: %v", kept)
		}
		checkAgainstRecount(t, s, "all removed")
	})
}
