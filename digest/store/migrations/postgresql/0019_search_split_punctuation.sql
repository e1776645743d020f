-- Version 19: search reads the text as SQLite's FTS5 (unicode61, remove_diacritics 2) reads it:
-- split at anything that is not a letter or digit, Latin letters without their diacritics.
-- PostgreSQL's parser kept some punctuation in its tokens ("U.S." the file name 'u.s', "9/11"
-- one token, "AR-15" 'ar' and the number '-15', "3.5" one number) and every diacritic ("État"
-- 'état'): `digest search ar 15` (u s, 9 11, etat, zurich) found the story saying "AR-15"
-- ("État", "Zürich") on SQLite and not here.  digest_search_text reads ASCII punctuation as a
-- space (the parser already reads other punctuation as a space) and makes of each letter what
-- FTS5 makes of it: a Latin letter with diacritics its ASCII base letter, the 25 combining
-- diacritics FTS5 drops dropped, and the few Greek forms FTS5's case folding changes (final
-- sigma, micro sign...); not æ ø ß ł đ œ þ, nor Cyrillic й ё, nor any other script, as FTS5
-- (the list is read from SQLite itself; tests/test_search_diacritics.py compares every letter).
-- translate() with a fixed map: IMMUTABLE, as a generated column needs, the same whatever the
-- database's locale, no extension (unaccent is contrib, and not IMMUTABLE); every literal with a
-- backslash an E'' string, read alike whatever standard_conforming_strings says.  translate()
-- looks each character up in its list in order: the ASCII, Greek and Cyrillic letters come
-- first, each mapped to itself, and a text with no folded character (the pattern) is read with
-- the punctuation alone.  2,000 texts of 3 KB: English or Russian as fast as version 19 was
-- before, French 1.3x, Polish 2.2x, Greek 3x, Arabic with one "José" 17x (each of its letters
-- read through the whole list; the whole list first for every text: 10x for all).  A query's
-- words go through the same function (digest.store.postgres), so the index holds 'ar' '15',
-- 'u' 's', 'etat', and both stores find the same stories.  The column is computed again for
-- every stored article (one rewrite of the table, as version 9).  An older digest would still
-- read this index, but not find "AR-15" by 'ar' <-> '-15', nor "État" by 'état': it refuses the
-- store.
CREATE FUNCTION digest_search_text(t text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN t ~ E'[\u00B5\u00C0-\u024F\u0300-\u0331\u03C2\u03D0-\u03D1\u03D5-\u03D6\u03F0-\u03F1\u03F5\u1E00-\u1EFF\u1FBE\u212B]' THEN pg_catalog.translate(t,
        ' etaoinsrhldcumfpgwybvkxjqzETAOINSRHLDCUMFPGWYBVKXJQZ0123456789' ||
        'αβγδεζηθικλμνξοπρστυφχψωάέήίόύώΑΒΓΔΕΖΗΘΙΚΛΜΝΞΟΠΡΣΤΥΦΧΨΩ' ||
        'абвгдежзийклмнопрстуфхцчшщъыьэюяёіїєґўАБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯЁІЇЄҐЎ' ||
        E'!"#$%&''()*+,-./:;<=>?@[\\]^_`{|}~' ||
        'ÀÁÂÃÄÅàáâãäåĀāĂăĄąǍǎǞǟǺǻȀȁȂȃȦȧḀḁẠạẢảẤấẦầẨẩẪẫẬậẮắẰằẲẳẴẵẶặÅ' ||
        'ḂḃḄḅḆḇ' ||
        'ÇçĆćĈĉĊċČčḈḉ' ||
        'ĎďḊḋḌḍḎḏḐḑḒḓ' ||
        'ÈÉÊËèéêëĒēĔĕĖėĘęĚěȄȅȆȇȨȩḔḕḖḗḘḙḚḛḜḝẸẹẺẻẼẽẾếỀềỂểỄễỆệ' ||
        'Ḟḟ' ||
        'ĜĝĞğĠġĢģǦǧǴǵḠḡ' ||
        'ĤĥȞȟḢḣḤḥḦḧḨḩḪḫẖ' ||
        'ÌÍÎÏìíîïĨĩĪīĬĭĮįİǏǐȈȉȊȋḬḭḮḯỈỉỊị' ||
        'Ĵĵǰ' ||
        'ĶķǨǩḰḱḲḳḴḵ' ||
        'ĹĺĻļĽľḶḷḸḹḺḻḼḽ' ||
        'ḾḿṀṁṂṃ' ||
        'ÑñŃńŅņŇňǸǹṄṅṆṇṈṉṊṋ' ||
        'ÒÓÔÕÖòóôõöŌōŎŏŐőƠơǑǒǪǫǬǭȌȍȎȏȪȫȬȭȮȯȰȱṌṍṎṏṐṑṒṓỌọỎỏỐốỒồỔổỖỗỘộỚớỜờỞởỠỡỢợ' ||
        'ṔṕṖṗ' ||
        'ŔŕŖŗŘřȐȑȒȓṘṙṚṛṜṝṞṟ' ||
        'ŚśŜŝŞşŠšſȘșṠṡṢṣṤṥṦṧṨṩẛ' ||
        'ŢţŤťȚțṪṫṬṭṮṯṰṱẗ' ||
        'ÙÚÛÜùúûüŨũŪūŬŭŮůŰűŲųƯưǓǔǕǖǗǘǙǚǛǜȔȕȖȗṲṳṴṵṶṷṸṹṺṻỤụỦủỨứỪừỬửỮữỰự' ||
        'ṼṽṾṿ' ||
        'ŴŵẀẁẂẃẄẅẆẇẈẉẘ' ||
        'ẊẋẌẍ' ||
        'ÝýÿŶŷŸȲȳẎẏẙỲỳỴỵỶỷỸỹ' ||
        'ŹźŻżŽžẐẑẒẓẔẕ' ||
        'ϐϵϑιϰµϖϱςϕ' ||
        E'\u0300\u0301\u0302\u0303\u0304\u0306\u0307\u0308\u0309\u030A\u030B\u030C\u030F\u0311\u031B\u0323\u0324\u0325\u0326\u0327\u0328\u032D\u032E\u0330\u0331',
        ' etaoinsrhldcumfpgwybvkxjqzETAOINSRHLDCUMFPGWYBVKXJQZ0123456789' ||
        'αβγδεζηθικλμνξοπρστυφχψωάέήίόύώΑΒΓΔΕΖΗΘΙΚΛΜΝΞΟΠΡΣΤΥΦΧΨΩ' ||
        'абвгдежзийклмнопрстуфхцчшщъыьэюяёіїєґўАБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯЁІЇЄҐЎ' ||
        '                                ' ||
        'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' ||
        'bbbbbb' ||
        'cccccccccccc' ||
        'dddddddddddd' ||
        'eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee' ||
        'ff' ||
        'gggggggggggggg' ||
        'hhhhhhhhhhhhhhh' ||
        'iiiiiiiiiiiiiiiiiiiiiiiiiiiiiii' ||
        'jjj' ||
        'kkkkkkkkkk' ||
        'llllllllllllll' ||
        'mmmmmm' ||
        'nnnnnnnnnnnnnnnnnn' ||
        'oooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooo' ||
        'pppp' ||
        'rrrrrrrrrrrrrrrrrr' ||
        'ssssssssssssssssssssss' ||
        'ttttttttttttttt' ||
        'uuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuu' ||
        'vvvv' ||
        'wwwwwwwwwwwww' ||
        'xxxx' ||
        'yyyyyyyyyyyyyyyyyyy' ||
        'zzzzzzzzzzzz' ||
        'βεθικμπρσφ')
    ELSE pg_catalog.translate(t, E'!"#$%&''()*+,-./:;<=>?@[\\]^_`{|}~', '                                ') END
$$;
ALTER TABLE articles DROP COLUMN search;
ALTER TABLE articles ADD COLUMN search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('digest_english', digest_search_text(left(coalesce(title, ''), 10000))), 'A') ||
    setweight(to_tsvector('digest_english', digest_search_text(left(coalesce(text, ''), 100000))), 'B')
) STORED;
CREATE INDEX articles_search ON articles USING GIN (search);
