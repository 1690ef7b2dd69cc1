"setuptools entry point; every setting comes from settings.ini (nbdev 2)."
from configparser import ConfigParser
import setuptools

config = ConfigParser(delimiters=['='])
config.read('settings.ini', encoding='utf-8')
cfg = config['DEFAULT']

requirements = cfg.get('requirements', '').split()
dev_requirements = cfg.get('dev_requirements', '').split()
report_requirements = cfg.get('report_requirements', '').split()   # the report site (affectnb.report) and its browser test
licenses = {'apache2': 'Apache-2.0'}   # settings.ini's nbdev key -> SPDX expression (PEP 639)
lic = licenses[cfg['license']]

setuptools.setup(
    name=cfg['lib_name'],
    version=cfg['version'],
    description=cfg['description'],
    long_description=open('README.md', encoding='utf-8').read(),
    long_description_content_type='text/markdown',
    author=cfg['author'],
    author_email=cfg['author_email'],
    license_expression=lic,
    license_files=['LICENSE'],
    url=cfg['git_url'],
    packages=setuptools.find_packages(include=['affectnb', 'affectnb.*']),
    include_package_data=True,
    install_requires=requirements,
    extras_require={'report': report_requirements, 'dev': list(dict.fromkeys(dev_requirements + report_requirements))},
    python_requires='>=' + cfg['min_python'],
    classifiers=['Programming Language :: Python :: 3', 'Intended Audience :: Science/Research'],
    entry_points={'console_scripts': ['affectnb=affectnb.runs:main'],
                  'nbdev': [f"{cfg['lib_path']}={cfg['lib_path']}._modidx:d"]},
    zip_safe=False,
)
