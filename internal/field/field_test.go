package field

import (
	"reflect"
	"testing"
)

func TestErrorsKeepOrderAndFirstProblem(t *testing.T) {
	t.Parallel()
	var errs Errors
	errs.Add("name", "k.name_required")
	errs.Add("email", "k.email_invalid", "Max", 254)
	errs.Add("name", "k.too_long") // a second problem on a field is not shown
	if len(errs) != 2 || errs[0].Field != "name" || errs[0].Key != "k.name_required" || errs[1].Field != "email" {
		t.Fatalf("%+v", errs)
	}
	if !reflect.DeepEqual(errs.For("email").Args, []any{"Max", 254}) || errs.For("phone") != nil {
		t.Fatalf("For: %+v", errs.For("email"))
	}
	if errs.Key("email") != "k.email_invalid" || errs.Key("phone") != "" || !errs.Has("name") || errs.Has("phone") {
		t.Fatal("Key/Has")
	}
	var more Errors
	more.Add("email", "k.other")
	more.Add("consent", "k.consent")
	errs.Append(more)
	if got := errs.Only("consent", "name"); len(got) != 2 || got[0].Field != "name" || got[1].Field != "consent" {
		t.Fatalf("Only keeps page order: %+v", got)
	}
	if errs.Key("email") != "k.email_invalid" {
		t.Fatal("Append replaced a field's first problem")
	}
	if got := errs.Without("name", "k.name_required"); got.Has("name") || len(got) != 2 {
		t.Fatalf("Without: %+v", got)
	}
	if got := errs.Without("name", "k.other"); !got.Has("name") {
		t.Fatal("Without dropped a problem with another key")
	}
}
