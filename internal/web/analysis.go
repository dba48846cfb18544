package web

import (
	"context"
	"sync"
	"time"

	"github.com/hearme-project/hearme/internal/account"
	"github.com/hearme-project/hearme/internal/analysis"
)

// The Understand step's pages: the codebook (/staff/codebook), coding
// (/staff/analysis/code), agreement between coders
// (/staff/analysis/agreement), search (/staff/analysis/search) and the exchange files
// (/staff/analysis/export). Connectors and analysts code and edit the
// codebook; administrators also import and export it.

var (
	coders         = Access{Roles: []account.Role{account.Admin, account.Connector, account.Analyst}}
	codebookAdmins = Access{Roles: []account.Role{account.Admin}}
)

func (s *Server) analysisRoutes() []Route {
	return []Route{
		{"GET /staff/codebook", coders, s.handleCodebook},
		{"GET /staff/codebook/new", coders, s.handleCodeNew},
		{"POST /staff/codebook", coders, s.handleCodeCreate},
		{"GET /staff/codebook/export.csv", codebookAdmins, s.handleCodebookExportCSV},
		{"GET /staff/codebook/export.qdc", codebookAdmins, s.handleCodebookExportQDC},
		{"GET /staff/codebook/import", codebookAdmins, s.handleCodebookImportForm},
		{"POST /staff/codebook/import", codebookAdmins, s.handleCodebookImport},
		{"GET /staff/codebook/{id}", coders, s.handleCode},
		{"POST /staff/codebook/{id}", coders, s.handleCodeUpdate},
		{"POST /staff/codebook/{id}/move", coders, s.handleCodeMove},
		{"POST /staff/codebook/{id}/merge", coders, s.handleCodeMerge},
		{"POST /staff/codebook/{id}/split", coders, s.handleCodeSplit},
		{"POST /staff/codebook/{id}/archive", coders, s.handleCodeArchive(true)},
		{"POST /staff/codebook/{id}/restore", coders, s.handleCodeArchive(false)},
		{"POST /staff/codebook/{id}/memo", coders, s.handleCodeMemo},

		{"GET /staff/analysis/code", coders, s.handleCodingQueue},
		{"POST /staff/analysis/code/find", coders, s.handleCodingFind},
		{"GET /staff/analysis/code/{id}", coders, s.handleCoding},
		{"POST /staff/analysis/code/{id}/apply", coders, s.handleCodingApply},
		{"POST /staff/analysis/code/{id}/remove", coders, s.handleCodingRemove},
		{"POST /staff/analysis/code/{id}/quote", coders, s.handleCodingQuote},
		{"POST /staff/analysis/code/{id}/suggestion", coders, s.handleCodingSuggestion},
		{"POST /staff/analysis/code/{id}/memo", coders, s.handleCodingMemo},
		{"POST /staff/analysis/code/{id}/translation", coders, s.handleCodingTranslation},
		{"POST /staff/analysis/code/{id}/done", coders, s.handleCodingDone},

		{"GET /staff/analysis/search", coders, s.handleSearch},
		{"POST /staff/analysis/search", coders, s.handleSearchPost},

		{"GET /staff/analysis/agreement", coders, s.handleAgreement},
		{"POST /staff/analysis/agreement", coders, s.handleAgreementCreate},
		{"GET /staff/analysis/agreement/{id}", coders, s.handleAgreementSample},

		{"GET /staff/analysis/export.qdpx", coders, s.handleExportQDPX},
		{"GET /staff/analysis/frequencies.csv", coders, s.handleExportFrequencies("csv")},
		{"GET /staff/analysis/frequencies.xlsx", coders, s.handleExportFrequencies("xlsx")},
	}
}

// suggester keeps the suggestion model in memory and retrains it when
// the coding changes (a new coding, a merge, a withdrawal), in the
// background: coders keep the model they have until the new one is ready.
type suggester struct {
	mu       sync.Mutex
	model    *analysis.Model
	check    analysis.Evaluation // on the newest fifth of coded experiences, learned from the rest
	stamp    string              // the coding's fingerprint the model learned from
	training bool
	checked  time.Time
}

// suggestRecheck is how often the coding's fingerprint is looked at.
const suggestRecheck = 2 * time.Second

// suggestions returns the current model (nil before any coding), and
// starts retraining if the coding changed since it was trained.
func (s *Server) suggestions(ctx context.Context) (*analysis.Model, analysis.Evaluation) {
	sg := s.suggest
	sg.mu.Lock()
	defer sg.mu.Unlock()
	if sg.training || time.Since(sg.checked) < suggestRecheck && sg.model != nil {
		return sg.model, sg.check
	}
	sg.checked = time.Now()
	stamp, err := s.store.CodingFingerprint(ctx)
	if err != nil {
		s.log.Error("coding fingerprint", "err", err.Error())
		return sg.model, sg.check
	}
	if stamp == sg.stamp && sg.model != nil {
		return sg.model, sg.check
	}
	sg.training = true
	first := sg.model == nil
	done := make(chan struct{})
	go func() {
		defer close(done)
		examples, err := s.store.TrainingExamples(context.Background())
		var m *analysis.Model
		var check analysis.Evaluation
		if err == nil {
			m = analysis.Train(examples)
			// A check on unseen experiences: learn from the older four
			// fifths, score the newest fifth.
			cut := len(examples) * 4 / 5
			if cut > 0 && cut < len(examples) {
				check = analysis.Evaluate(analysis.Train(examples[:cut]), examples[cut:])
			}
		} else {
			s.log.Error("suggestion training", "err", err.Error())
		}
		sg.mu.Lock()
		defer sg.mu.Unlock()
		sg.training = false
		if m != nil {
			sg.model, sg.check, sg.stamp = m, check, stamp
		}
	}()
	if first {
		// The very first time, wait (briefly) so the page has suggestions.
		sg.mu.Unlock()
		select {
		case <-done:
		case <-time.After(3 * time.Second):
		}
		sg.mu.Lock()
	}
	return sg.model, sg.check
}
