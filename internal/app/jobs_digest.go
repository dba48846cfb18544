package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hearme-project/hearme/internal/accountability"
	"github.com/hearme-project/hearme/internal/jobs"
	"github.com/hearme-project/hearme/internal/mail"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/subscription"
)

// digestJobs send the report's digest to its subscribers: the job looks
// every hour, and a digest is due a week after the last one
// (subscription.Every); a run interrupted (a kill, a deploy) is resumed
// by the next look, never started again.
func digestJobs(d JobDeps) []jobs.Job {
	return []jobs.Job{{Name: "report-digest", Every: time.Hour, MaxRunFor: 30 * time.Minute, Run: func(ctx context.Context) error {
		res, err := RunDigest(ctx, d, time.Now(), DigestBatch)
		if res.Queued > 0 || res.Subscribers > 0 {
			d.Log.Info("report digest written to the outbox", "subscribers", res.Subscribers, "queued", res.Queued, "changes", res.Changes)
		}
		return err
	}}}
}

// DigestBatch is how many subscribers' digests one transaction queues.
const DigestBatch = 500

// DigestResult is what a call of RunDigest did.
type DigestResult struct {
	Run         string // the run's id ("" when none was due)
	Changes     int    // changes in its window
	Subscribers int    // subscribers dealt with by this call
	Queued      int    // digests queued by this call
	Finished    bool
}

// digestLinks are the links a digest carries, one of them the
// subscriber's own unsubscribe link, which is put in after the message
// for a group is rendered (each group renders once).
const unsubscribePlaceholder = "https://unsubscribe.invalid/hearme-digest-placeholder"

// managePlaceholder is put in place of the subscriber's own link to the
// page that changes their language or what they follow.
const managePlaceholder = "https://manage.invalid/hearme-digest-placeholder"

// digestItem is one line of a digest: no free text anyone wrote, only
// references, a recommendation's title, names and statuses.
type digestItem struct {
	Line, URL string
}

type digestData struct {
	Follow         string
	Items          []digestItem
	ReportURL      string
	UnsubscribeURL string
	ManageURL      string
}

// RunDigest works on the digest due at now: it starts one (or resumes
// one left unfinished), lists the changes in its window once, and then,
// batch by batch of confirmed subscribers in id order, composes each
// subscriber's digest (only the changes they follow, in their language;
// nobody with nothing new gets an email) and queues the batch in one
// transaction with each subscriber's mark (store.QueueDigests), so a
// digest is in the outbox exactly once however the run is interrupted.
// The outbox's sender delivers them (docs/email.md).
func RunDigest(ctx context.Context, d JobDeps, now time.Time, batch int) (DigestResult, error) {
	var res DigestResult
	st := d.Store
	run, ok, err := st.StartDigestRun(ctx, now)
	if err != nil || !ok {
		return res, err
	}
	res.Run = run.ID
	changes, err := st.ReportChanges(ctx, run.Since, run.Until)
	if err != nil {
		return res, err
	}
	res.Changes = len(changes)
	b, err := newDigestBuilder(ctx, d, changes)
	if err != nil {
		return res, err
	}
	after := ""
	for {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		subs, err := st.DigestSubscribers(ctx, run.ID, after, batch)
		if err != nil {
			return res, err
		}
		if len(subs) == 0 {
			break
		}
		mails := make([]store.DigestMail, 0, len(subs))
		for _, sub := range subs {
			m, err := b.compose(sub)
			if err != nil {
				return res, fmt.Errorf("digest for subscription %s: %w", sub.ID, err)
			}
			mails = append(mails, store.DigestMail{SubscriptionID: sub.ID, Mail: m})
		}
		n, err := st.QueueDigests(ctx, run.ID, mails)
		res.Queued += n
		if err != nil {
			return res, err
		}
		res.Subscribers += len(subs)
		after = subs[len(subs)-1].ID
	}
	if err := st.FinishDigestRun(ctx, run.ID); err != nil {
		return res, err
	}
	res.Finished = true
	return res, nil
}

// digestBuilder renders each (language, what is followed) once and
// reuses it for every subscriber of the group, with their own address
// and unsubscribe link.
type digestBuilder struct {
	d        JobDeps
	composer *mail.Composer
	changes  []subscription.Change
	recs     map[string]accountability.Recommendation
	orgs     map[string]string
	comms    map[string]func(lang string) string
	base     string
	key      []byte
	rendered map[string]*mail.Message // by lang + "\x00" + follow; nil: nothing to send
}

func newDigestBuilder(ctx context.Context, d JobDeps, changes []subscription.Change) (*digestBuilder, error) {
	prog, err := d.Store.Programme(ctx)
	if err != nil {
		return nil, err
	}
	rep, err := d.Store.Report(ctx)
	if err != nil {
		return nil, err
	}
	site := mail.Site{Name: prog.Settings.Name, BaseURL: d.Config.PublicURL()}
	for _, l := range prog.Languages {
		if l.RTL {
			site.RTL = append(site.RTL, l.Code)
		}
	}
	composer, err := mail.NewComposer(d.Catalog, d.Keys, func() mail.Site { return site })
	if err != nil {
		return nil, err
	}
	b := &digestBuilder{d: d, composer: composer, changes: changes, recs: map[string]accountability.Recommendation{},
		orgs: map[string]string{}, comms: map[string]func(string) string{}, base: d.Config.PublicURL(),
		key: d.Keys.Derive("subscription-links"), rendered: map[string]*mail.Message{}}
	for _, r := range rep.Recommendations {
		b.recs[r.ID] = r.Recommendation
	}
	for _, o := range prog.Organisations {
		b.orgs[o.Slug] = o.Name
	}
	for _, c := range prog.Communities {
		b.comms[c.Slug] = c.Name
	}
	return b, nil
}

func (b *digestBuilder) orgName(slug string) string {
	if n, ok := b.orgs[slug]; ok {
		return n
	}
	return slug
}

// render builds the digest of a group, or nil when it has nothing new.
func (b *digestBuilder) render(lang string, f subscription.Follow) (*mail.Message, error) {
	gkey := lang + "\x00" + f.String()
	if m, ok := b.rendered[gkey]; ok {
		return m, nil
	}
	items := subscription.For(f, b.changes)
	if len(items) == 0 {
		b.rendered[gkey] = nil
		return nil, nil
	}
	l := b.d.Catalog.Localizer(lang)
	label := func(prefix, slug string) string {
		if v := l.T(prefix + slug); v != "" && v != prefix+slug {
			return v
		}
		return slug
	}
	q := "?lang=" + lang
	data := digestData{ReportURL: b.base + "/report" + q, UnsubscribeURL: unsubscribePlaceholder, ManageURL: managePlaceholder,
		Follow: subscription.Label(f, l.T, b.orgName, func(slug string) string {
			if n, ok := b.comms[slug]; ok {
				return n(lang)
			}
			return slug
		})}
	for _, c := range items {
		title, _, _ := b.recs[c.RecommendationID].In(lang)
		var it digestItem
		switch c.Kind {
		case subscription.ChangeRecommendation:
			it = digestItem{l.T("subscriptions.mail.item_recommendation", "Reference", c.Reference, "Title", title), b.base + "/report/" + c.Reference + q}
		case subscription.ChangeResponse:
			it = digestItem{l.T("subscriptions.mail.item_response", "Organisation", b.orgName(c.Organisation), "Reference", c.Reference, "Title", title,
				"Decision", label("accountability.decision_", c.Decision)), b.base + "/report/" + c.Reference + q}
		case subscription.ChangeUpdate:
			it = digestItem{l.T("subscriptions.mail.item_update", "Reference", c.Reference, "Organisation", b.orgName(c.Organisation),
				"Status", label("accountability.cstatus_", c.Status), "Progress", c.Progress), b.base + "/report/commitments/" + c.Reference + q}
		}
		data.Items = append(data.Items, it)
	}
	m, err := b.composer.Message(lang, "placeholder@example.invalid", "subscription_digest", data)
	if err != nil {
		return nil, err
	}
	b.rendered[gkey] = &m
	return &m, nil
}

// compose makes one subscriber's digest, sealed for the outbox; nil when
// there is nothing new for them.
func (b *digestBuilder) compose(sub subscription.Subscription) (*mail.Queued, error) {
	lang := sub.Lang
	if lang == "" {
		lang = "en"
	}
	g, err := b.render(lang, sub.Follow)
	if err != nil || g == nil {
		return nil, err
	}
	to, err := b.d.Keys.Open(sub.EmailSealed)
	if err != nil {
		return nil, err
	}
	unsub := b.base + subscription.Path(subscription.PurposeUnsubscribe, subscription.Token(b.key, subscription.PurposeUnsubscribe, sub.ID)) + "?lang=" + lang
	manage := b.base + subscription.Path(subscription.PurposeManage, subscription.Token(b.key, subscription.PurposeManage, sub.ID)) + "?lang=" + lang
	links := strings.NewReplacer(unsubscribePlaceholder, unsub, managePlaceholder, manage)
	m := *g
	m.To = to
	m.Text = links.Replace(m.Text)
	m.HTML = links.Replace(m.HTML)
	m.ListUnsubscribe = unsub
	q, err := mail.Seal(b.d.Keys, "subscription_digest", m)
	if err != nil {
		return nil, err
	}
	return &q, nil
}
