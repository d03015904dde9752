package hebrew

import "testing"

func TestClasses(t *testing.T) {
	for _, tc := range []struct {
		r                       rune
		point, geresh, gershaim bool
	}{
		{'ָ', true, false, false},  // qamats
		{'ּ', true, false, false},  // dagesh
		{'ׁ', true, false, false},  // shin dot
		{'֑', true, false, false},  // etnahta
		{'־', false, false, false}, // maqaf separates words
		{'׀', false, false, false}, // paseq
		{'׃', false, false, false}, // sof pasuq
		{'א', false, false, false},
		{'׳', false, true, false},
		{'\'', false, true, false},
		{'’', false, true, false},
		{'״', false, false, true},
		{'"', false, false, true},
		{'”', false, false, true},
		{'-', false, false, false},
	} {
		if IsPoint(tc.r) != tc.point || IsGeresh(tc.r) != tc.geresh || IsGershayim(tc.r) != tc.gershaim {
			t.Errorf("%U: point %v, geresh %v, gershayim %v; want %v, %v, %v", tc.r,
				IsPoint(tc.r), IsGeresh(tc.r), IsGershayim(tc.r), tc.point, tc.geresh, tc.gershaim)
		}
	}
}
