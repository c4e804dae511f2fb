package bench

import (
	"os"
	"testing"

	"github.com/runflow/runflow/engine"
)

// BenchmarkLoad loads a template from its YAML, as every CLI run, `runflow
// test` and every bot or MCP server start does: decoding, checking and
// compiling its expressions. impl=me is the one-request template of the
// start-up benchmark; impl=send-mail the largest built-in (149 lines:
// inputs with computed defaults, files, an upload session, a confirm
// step).
func BenchmarkLoad(b *testing.B) {
	sendMail, err := os.ReadFile("../../templates/send-mail.yaml")
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		src  []byte
	}{{"me", []byte(MeTemplate)}, {"send-mail", sendMail}} {
		b.Run("impl="+c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := engine.Load(c.name+".yaml", c.src); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
