package app

import (
	"context"

	"github.com/hearme-project/hearme/internal/champion"
	"github.com/hearme-project/hearme/internal/store"
)

// demoChampionModules are the demo programme's champion training
// modules. They are examples of the kind of training a programme gives,
// marked as such: a real programme replaces them with its own on
// /staff/champions/training. The screening ages are the NHS England
// programmes as published at https://www.nhs.uk/conditions/nhs-screening/
// (checked November 2026).
var demoChampionModules = []champion.Module{
	{Title: "Example: welcome to the champions programme", Required: true,
		Summary: "Example module. What champions do and do not do, who your connector is, and how to log outreach on your phone."},
	{Title: "Example: NHS cancer screening", Required: true,
		Summary: "Example module. The three NHS cancer screening programmes in England: bowel screening (a home test kit, ages 50 to 74), breast screening (women aged 50 to 71) and cervical screening (ages 25 to 64). Source: nhs.uk/conditions/nhs-screening."},
	{Title: "Example: signs and symptoms, and when to see a GP", Required: true,
		Summary: "Example module. Encouraging people to contact their GP practice about symptoms that are new, unexplained or do not go away."},
	{Title: "Example: listening, consent and confidentiality", Required: true,
		Summary: "Example module. Recording an experience only with the person's permission, no names in outreach notes, and safeguarding: who to tell if you are worried about someone."},
	{Title: "Example: talking about cancer in your community", Required: false,
		Summary: "Example module. Starting conversations at places of worship, community groups and events; handling fear and stigma."},
}

// demoChampions loads the demo champion training modules on first start
// (nothing when the programme already has modules).
func demoChampions(ctx context.Context, st *store.Store) error {
	existing, err := st.TrainingModules(ctx, true)
	if err != nil || len(existing) > 0 {
		return err
	}
	for _, m := range demoChampionModules {
		if _, err := st.SaveTrainingModule(ctx, "demo", m); err != nil {
			return err
		}
	}
	return nil
}
