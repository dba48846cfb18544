package demo

import (
	_ "embed"
	"encoding/json"
	"fmt"

	"github.com/hearme-project/hearme/internal/support"
)

//go:embed support_services.json
var supportJSON []byte

// supportFile is support_services.json: real national services (with
// the public source of their details) and invented local examples.
type supportFile struct {
	Services []struct {
		Name         string            `json:"name"`
		Organisation string            `json:"organisation"`
		Area         string            `json:"area"`
		Summary      string            `json:"summary"`
		Summaries    map[string]string `json:"summaries"`
		Needs        []string          `json:"needs"`
		Stages       []string          `json:"stages"`
		Languages    []string          `json:"languages"`
		Communities  []string          `json:"communities"`
		Phone        string            `json:"phone"`
		Email        string            `json:"email"`
		Website      string            `json:"website"`
		Hours        string            `json:"hours"`
		Eligibility  string            `json:"eligibility"`
		Referral     string            `json:"referral"`
		Source       string            `json:"source"` // documentation only
		Verify       bool              `json:"verify"` // documentation only
	} `json:"services"`
}

// SupportServices returns the demo support directory, validated against
// the demo programme's stages and communities. None is marked as
// checked: their details must be checked before a real deployment.
func SupportServices() ([]support.Service, error) {
	var f supportFile
	if err := json.Unmarshal(supportJSON, &f); err != nil {
		return nil, err
	}
	prog := Luton()
	var a support.Allowed
	for _, st := range prog.Stages {
		a.Stages = append(a.Stages, st.Slug)
	}
	for _, c := range prog.Communities {
		a.Communities = append(a.Communities, c.Slug)
	}
	var out []support.Service
	for _, d := range f.Services {
		s := support.Service{Name: d.Name, Organisation: d.Organisation, Area: d.Area, Summary: d.Summary, Summaries: d.Summaries,
			Needs: d.Needs, Stages: d.Stages, Languages: d.Languages, Communities: d.Communities, Phone: d.Phone, Email: d.Email,
			Website: d.Website, Hours: d.Hours, Eligibility: d.Eligibility, Referral: d.Referral}
		if errs := s.Validate(a); len(errs) > 0 {
			return nil, fmt.Errorf("demo support service %q: %v", d.Name, errs)
		}
		out = append(out, s)
	}
	return out, nil
}
