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
		// The title is drawn: ink in the band it takes.
		inked := 0
		for y := 260; y < 330; y++ {
			for x := margin; x < Size.X-margin; x++ {
				if r, _, _, _ := img.At(x, y).RGBA(); r < 0x8000 {
					inked++
				}
			}
		}
		if inked < 5000 {
			t.Errorf("%s: %d dark pixels where the title goes, want thousands", name, inked)
		}
		if *out != "" {
			os.WriteFile(*out+"/"+name+".png", data, 0o644)
		}
	}
}

// TestPNGRepeats checks that a card comes out the same whatever was drawn
// before it: the scratch space is left clear.
func TestPNGRepeats(t *testing.T) {
	d := NewDrawer()
	a := Card{Site: "Site", Title: "Army capped at 600,000", Detail: "600,000 troops"}
	b := Card{Site: "Other", Kicker: "Point 21", Title: "Territory: Donetsk, Luhansk and Crimea recognised as Russian", Detail: "Changed"}
	first := d.PNG(a)
	if bytes.Equal(first, d.PNG(b)) {
		t.Fatal("two different cards drew the same PNG")
	}
	if !bytes.Equal(first, d.PNG(a)) {
		t.Error("the same card drew differently after another")
	}
}
