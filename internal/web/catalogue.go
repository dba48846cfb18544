package web

import (
	"github.com/hearme-project/hearme/internal/equality"
	"github.com/hearme-project/hearme/internal/i18n"
)

// Catalogue loads the translations every page needs: the site's own
// catalogues and the labels of the domain packages whose questions the
// pages ask (the equality monitoring questions).
func Catalogue() (*i18n.Catalogue, error) {
	labels, err := equality.LabelFiles()
	if err != nil {
		return nil, err
	}
	return i18n.Load(labels)
}
