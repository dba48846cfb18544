package tabular

import "testing"

func TestNeutraliseRoundTrip(t *testing.T) {
	t.Parallel()
	for _, v := range []string{"=SUM(A1:A9)", "+44 20", "-1", "@cmd", "\tx", "\rx", "plain", "", "'quoted", "'=already", "''=x", "''plain"} {
		n := Neutralise(v)
		if n != "" && (n[0] == '=' || n[0] == '+' || n[0] == '-' || n[0] == '@' || n[0] == '\t' || n[0] == '\r') {
			t.Errorf("Neutralise(%q) = %q still starts a formula", v, n)
		}
		if back := Unneutralise(n); back != v {
			t.Errorf("Unneutralise(Neutralise(%q)) = %q", v, back)
		}
	}
	if TrimBOM(BOM+"id") != "id" {
		t.Error("TrimBOM")
	}
}
