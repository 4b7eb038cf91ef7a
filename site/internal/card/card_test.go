package card

import (
	"bytes"
	"flag"
	"image/png"
	"os"
	"testing"
)

var out = flag.String("out", "", "write the test cards into `DIR` to look at")

func BenchmarkPNG(b *testing.B) {
	d := NewDrawer()
	c := Card{Site: "The US peace plan for Ukraine, explained", Kicker: "Point 6 · 28-point draft", Title: "Army capped at 600,000", Detail: "Size of Ukraine's army: 600,000 troops"}
	b.ReportAllocs()
	for b.Loop() {
		d.PNG(c)
	}
}

func TestPNG(t *testing.T) {
	d := NewDrawer()
	for name, c := range map[string]Card{
		"short": {Site: "The US peace plan for Ukraine, explained", Kicker: "Point 6 · 28-point draft", Title: "Army capped at 600,000", Detail: "Size of Ukraine's army: 600,000 troops"},
		"long":  {Site: "The US peace plan for Ukraine, explained", Title: "Istanbul-track draft treaty on Ukraine's neutrality and security guarantees, with the Russian demands and the Ukrainian counter-positions in brackets, April 2022, as later published"},
	} {
		data := d.PNG(c)
		img, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		if img.Bounds().Size() != Size {
			t.Errorf("%s: size %v", name, img.Bounds().Size())
		}
		if *out != "" {
			os.WriteFile(*out+"/"+name+".png", data, 0o644)
		}
	}
}
