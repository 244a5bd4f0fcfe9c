"""A synthetic district with ground truth: the demo, the tests and the benchmarks run on it."""

from simulate.country import ProvinceFrames, simulate_country
from simulate.country_files import write_country
from simulate.district import District
from simulate.exports import write_district
from simulate.files import write_parquet
from simulate.generate import DEFAULT_NIGHT, generate, school_calendar
from simulate.load import load_district, load_school_directory
from simulate.nights import next_night

__all__ = [
    "DEFAULT_NIGHT",
    "District",
    "ProvinceFrames",
    "generate",
    "load_district",
    "load_school_directory",
    "next_night",
    "school_calendar",
    "simulate_country",
    "write_country",
    "write_district",
    "write_parquet",
]
