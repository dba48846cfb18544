package app

import (
	"context"
	"time"

	"github.com/hearme-project/hearme/internal/event"
	"github.com/hearme-project/hearme/internal/store"
)

// demoEvents loads a few upcoming events on first start, so the home
// page and /events are not empty in the demo. The venues are invented
// examples (marked as such in their names), not real bookings; the
// times are relative to the day the demo is first started.
func demoEvents(ctx context.Context, st *store.Store) error {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		loc = time.UTC
	}
	day := func(days, hour, minute int) time.Time {
		d := time.Now().In(loc).AddDate(0, 0, days)
		return time.Date(d.Year(), d.Month(), d.Day(), hour, minute, 0, 0, loc).UTC()
	}
	const exampleNote = "This is an example event in the demonstration site: the venue is invented."
	evs := []*event.Event{
		{
			Kind: event.KindHearMe, Visibility: event.Public, Community: "eastern-european", Languages: []string{"en", "ro", "pl"}, Interpreters: []string{"ro", "pl"},
			Start: day(9, 18, 0), End: day(9, 20, 0), VenueName: "Example Community Hall (example venue)", VenueAddress: "1 Example Street, Luton",
			VenuePostcode: "LU1 0AA", Capacity: 40, Access: []string{event.AccessStepFree, event.AccessHearingLoop, event.AccessPublicTransport, event.AccessParking},
			AccessNotes: "Step-free entrance at the side door. " + exampleNote,
			Agenda: []event.AgendaItem{{At: "18:00", Activity: "Welcome and refreshments", Speaker: "Community connectors"},
				{At: "18:20", Activity: "Listening circles in Romanian, Polish and English"}, {At: "19:40", Activity: "What happens next with what you told us"}},
			Texts: map[string]event.Text{
				"en": {Title: "Hear me: cancer care in Eastern European communities", Body: "An evening to tell us, in your own language, what getting help with cancer has been like for you or your family. Food and drinks provided."},
				"ro": {Title: "Ascultă-mă: îngrijirea cancerului în comunitățile din Europa de Est", Body: "O seară în care ne puteți spune, în limba dumneavoastră, cum a fost pentru dumneavoastră sau familia dumneavoastră să primiți ajutor pentru cancer. Oferim mâncare și băuturi."},
				"pl": {Title: "Wysłuchaj mnie: opieka onkologiczna w społecznościach z Europy Wschodniej", Body: "Wieczór, na którym możesz opowiedzieć nam we własnym języku, jak wyglądała pomoc przy raku dla Ciebie lub Twojej rodziny. Zapewniamy jedzenie i napoje."},
				"ur": {Title: "ہیئر می: مشرقی یورپی کمیونٹیز میں کینسر کی دیکھ بھال", Body: "ایک شام جس میں آپ اپنی زبان میں ہمیں بتا سکتے ہیں کہ آپ یا آپ کے خاندان کے لیے کینسر میں مدد حاصل کرنا کیسا رہا۔"},
				"bn": {Title: "হিয়ার মি: পূর্ব ইউরোপীয় কমিউনিটিতে ক্যান্সারের যত্ন", Body: "একটি সন্ধ্যা, যেখানে আপনি নিজের ভাষায় আমাদের বলতে পারেন ক্যান্সারে সাহায্য পাওয়া আপনার বা আপনার পরিবারের জন্য কেমন ছিল।"},
				"so": {Title: "I maqal: daryeelka kansarka ee bulshooyinka Yurub Bari", Body: "Fiid aad noogu sheegi karto, luqaddaada, sidii ay kuu ahayd adiga ama qoyskaaga helidda caawimaadda kansarka."},
			},
		},
		{
			Kind: event.KindAwareness, Visibility: event.Public, Community: "south-asian", Languages: []string{"en", "ur", "bn"}, Interpreters: []string{"bn"},
			Start: day(16, 11, 0), End: day(16, 12, 30), VenueName: "Example Women's Centre (example venue)", VenueAddress: "2 Example Road, Luton",
			VenuePostcode: "LU2 0AA", Capacity: 25, Access: []string{event.AccessStepFree, event.AccessPrayerSpace, event.AccessWomenOnly, event.AccessChildcare},
			AccessNotes: "A women-only session with a female speaker. " + exampleNote,
			Agenda: []event.AgendaItem{{At: "11:00", Activity: "Breast and cervical screening: what happens and why it matters", Speaker: "A screening nurse (example)"},
				{At: "11:45", Activity: "Questions, in Urdu, Bengali and English"}},
			Texts: map[string]event.Text{
				"en": {Title: "Screening: a talk for women, with time for questions", Body: "A friendly talk about breast and cervical screening for South Asian women, followed by questions in a private, women-only space."},
				"ur": {Title: "اسکریننگ: خواتین کے لیے گفتگو، سوالات کے وقت کے ساتھ", Body: "جنوبی ایشیائی خواتین کے لیے چھاتی اور سروائیکل اسکریننگ کے بارے میں ایک دوستانہ گفتگو، اس کے بعد صرف خواتین کی نجی جگہ میں سوالات۔"},
				"bn": {Title: "স্ক্রিনিং: নারীদের জন্য আলোচনা, প্রশ্নের সময়সহ", Body: "দক্ষিণ এশীয় নারীদের জন্য স্তন ও জরায়ুমুখের স্ক্রিনিং নিয়ে একটি বন্ধুত্বপূর্ণ আলোচনা, এরপর শুধু নারীদের একটি নিরিবিলি জায়গায় প্রশ্নোত্তর।"},
				"ro": {Title: "Screening: o discuție pentru femei, cu timp pentru întrebări", Body: "O discuție prietenoasă despre screeningul mamar și cervical pentru femeile din Asia de Sud, urmată de întrebări într-un spațiu privat, doar pentru femei."},
				"pl": {Title: "Badania przesiewowe: spotkanie dla kobiet z czasem na pytania", Body: "Przyjazna rozmowa o badaniach przesiewowych piersi i szyjki macicy dla kobiet z Azji Południowej, a potem pytania w prywatnym gronie samych kobiet."},
				"so": {Title: "Baaritaanka hore: wada-hadal haweenka, waqti su'aalo leh", Body: "Wada-hadal saaxiibtinimo oo ku saabsan baaritaanka naasaha iyo ilmo-galeenka ee haweenka Koonfurta Aasiya, kadibna su'aalo meel gaar ah oo haweenka oo kaliya ah."},
			},
		},
		{
			Kind: event.KindListening, Visibility: event.Public, Community: "", Languages: []string{"en", "so"}, Interpreters: []string{"so"},
			Start: day(23, 14, 0), End: day(23, 15, 30), VenueName: "Example Library Meeting Room (example venue)", VenueAddress: "3 Example Square, Luton",
			VenuePostcode: "LU1 9AA", Capacity: 15, Access: []string{event.AccessStepFree, event.AccessHearingLoop, event.AccessPublicTransport},
			AccessNotes: exampleNote,
			Texts: map[string]event.Text{
				"en": {Title: "Listening session: living with and after cancer", Body: "A small, quiet group for people living with cancer, and those caring for them, to tell us what helped and what did not."},
				"so": {Title: "Fadhi dhageysi: la noolaanshaha kansarka iyo wixii ka dambeeya", Body: "Koox yar oo deggan oo loogu talagalay dadka la nool kansarka iyo kuwa daryeela, si ay noogu sheegaan waxa caawiyey iyo waxa aan caawin."},
				"ro": {Title: "Sesiune de ascultare: viața cu cancer și după cancer", Body: "Un grup mic și liniștit pentru persoanele care trăiesc cu cancer și pentru cei care îi îngrijesc, ca să ne spună ce i-a ajutat și ce nu."},
				"pl": {Title: "Spotkanie, na którym słuchamy: życie z rakiem i po raku", Body: "Mała, spokojna grupa dla osób żyjących z rakiem i ich opiekunów, aby opowiedzieli nam, co pomogło, a co nie."},
				"ur": {Title: "سننے کی نشست: کینسر کے ساتھ اور اس کے بعد زندگی", Body: "کینسر کے ساتھ رہنے والوں اور ان کی دیکھ بھال کرنے والوں کے لیے ایک چھوٹا، پرسکون گروپ، تاکہ وہ ہمیں بتائیں کہ کس چیز نے مدد کی اور کس نے نہیں۔"},
				"bn": {Title: "শোনার সেশন: ক্যান্সার নিয়ে ও ক্যান্সারের পরে জীবন", Body: "ক্যান্সার নিয়ে বেঁচে থাকা মানুষ ও তাঁদের যত্নকারীদের জন্য একটি ছোট, শান্ত দল, যাতে তাঁরা আমাদের বলতে পারেন কী সাহায্য করেছে আর কী করেনি।"},
			},
		},
	}
	for _, e := range evs {
		e.CreatedBy = "demo"
		if err := st.CreateEvent(ctx, e); err != nil {
			return err
		}
	}
	return nil
}
