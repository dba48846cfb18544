package equality

import (
	"embed"
	"io/fs"
	"strings"
)

//go:embed labels.*.toml
var labelsFS embed.FS

// LabelFiles returns the embedded label catalogues by language code ("en",
// "pl", "ro", "ur", "bn", "so"). They use the format of
// internal/i18n/locales/active.*.toml (keys under an [equality] table) and
// are meant to be merged into those catalogues; every file has exactly the
// English keys (a test checks).
func LabelFiles() (map[string][]byte, error) {
	files, err := fs.Glob(labelsFS, "labels.*.toml")
	if err != nil {
		return nil, err
	}
	out := map[string][]byte{}
	for _, f := range files {
		b, err := labelsFS.ReadFile(f)
		if err != nil {
			return nil, err
		}
		out[strings.TrimSuffix(strings.TrimPrefix(f, "labels."), ".toml")] = b
	}
	return out, nil
}
